package dev.berth.worker;

import dev.berth.config.WorkerConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.FailureCodes;
import dev.berth.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes one event-bus address, and the same address on its own node only ({@link Addresses#onNode}), where gateways
 * send it requests, and answers every request with the configured text, after the configured delay. Drained, it goes
 * on serving until no request has arrived for {@value #QUIET_MS} ms (gateways stop choosing a node once it announces
 * its drain), then unregisters cluster-wide and finishes the delayed requests it holds.
 */
public final class WorkerVerticle extends VerticleBase {

  /**
   * How long a draining worker must go without a request before it unregisters: longer than the announcement of its
   * drain takes to reach the gateways and a request already on its way takes to arrive.
   */
  public static final long QUIET_MS = 250;

  private final WorkerConfig config;
  private final String nodeName;
  private final String nodeId;
  private final AtomicInteger held;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>(2);
  private JsonObject reply;
  private int inFlight;
  private long lastArrivalNanos;
  private Promise<Void> drained;

  /**
   * @param nodeId this node's id in the cluster, or null on a Vert.x that is not clustered
   * @param held   counts the delayed requests not yet answered, across all workers of the node
   */
  public WorkerVerticle(WorkerConfig config, String nodeName, String nodeId, AtomicInteger held) {
    this.config = config;
    this.nodeName = nodeName;
    this.nodeId = nodeId;
    this.held = held;
  }

  @Override
  public Future<?> start() {
    reply = BusReply.text(config.response(), nodeName).toJson();
    // Gateways find a worker by its address, then send to its node's address, which must be there by then.
    Future<Void> onThisNode = nodeId == null
      ? Future.succeededFuture()
      : register(Addresses.onNode(config.address(), nodeId));
    return onThisNode.compose(registered -> register(config.address()));
  }

  private Future<Void> register(String address) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, this::handle);
    consumers.add(0, consumer);
    return consumer.completion();
  }

  private void handle(Message<Object> message) {
    lastArrivalNanos = System.nanoTime();
    try {
      BusRequest.fromJson(message.body());
    } catch (ProtocolException e) {
      message.fail(FailureCodes.BAD_REQUEST, e.getMessage());
      return;
    }
    if (config.delayMs() == 0) {
      message.reply(reply);
      return;
    }
    inFlight++;
    held.incrementAndGet();
    vertx.setTimer(config.delayMs(), timer -> replyDelayed(message));
  }

  private void replyDelayed(Message<Object> message) {
    message.reply(reply);
    inFlight--;
    held.decrementAndGet();
    if (inFlight == 0 && drained != null) {
      drained.tryComplete();
    }
  }

  /**
   * Serves until quiet, unregisters the consumers cluster-wide, then answers the requests it holds, within
   * {@code timeoutMs} in all. Call once the node has announced its drain.
   */
  public Future<Void> drain(long timeoutMs) {
    return Future.<Void>future(promise -> context.runOnContext(onContext -> {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      lastArrivalNanos = System.nanoTime();
      drained = Promise.promise();
      quiet(deadline)
        .compose(silent -> unregisterInTurn(0))
        .compose(unregistered -> inFlight == 0 ? Future.<Void>succeededFuture() : drained.future())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(promise);
    }));
  }

  /** The address first, then the node's own address, the reverse of their registration. */
  private Future<Void> unregisterInTurn(int index) {
    return index == consumers.size()
      ? Future.succeededFuture()
      : consumers.get(index).unregister().compose(unregistered -> unregisterInTurn(index + 1));
  }

  /** Completes once no request has arrived for {@link #QUIET_MS}, or at {@code deadline}, whichever comes first. */
  private Future<Void> quiet(long deadline) {
    if (nodeId == null) {
      return Future.succeededFuture();
    }
    Promise<Void> quiet = Promise.promise();
    awaitQuiet(deadline, quiet);
    return quiet.future();
  }

  private void awaitQuiet(long deadline, Promise<Void> quiet) {
    long now = System.nanoTime();
    long silentFor = TimeUnit.NANOSECONDS.toMillis(now - lastArrivalNanos);
    long untilDeadline = TimeUnit.NANOSECONDS.toMillis(deadline - now);
    if (silentFor >= QUIET_MS || untilDeadline <= 0) {
      quiet.complete();
      return;
    }
    vertx.setTimer(Math.max(1, Math.min(QUIET_MS - silentFor, untilDeadline)), check -> awaitQuiet(deadline, quiet));
  }
}
