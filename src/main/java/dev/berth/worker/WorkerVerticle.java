package dev.berth.worker;

import dev.berth.config.WorkerConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.DirectReply;
import dev.berth.protocol.DirectRequest;
import dev.berth.protocol.Envelope;
import dev.berth.protocol.ProtocolException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes one event-bus address, and the same address on its own node only ({@link Addresses#onNode}), where gateways
 * send it requests, and answers each with its {@link WorkerHandler}: the configured text, or the configured class,
 * which has {@code timeoutMs} to answer before the request fails with 504. A request in berth's {@link Envelope} is
 * answered in it; a JSON one in JSON, saying that the envelope is taken here. It stops with the {@link Drain} every
 * worker shares.
 */
public final class WorkerVerticle extends VerticleBase {

  /** A direct reply is traced as Vert.x traces a reply: no span of its own, the request's ended on its receipt. */
  private static final DeliveryOptions AS_A_REPLY = new DeliveryOptions().setTracingPolicy(TracingPolicy.IGNORE);
  /** A direct answer that found no consumer is sent again every 100 ms, 30 times: for 3 s, a gateway's usual timeout. */
  private static final long RESEND_MS = 100;
  private static final int RESENDS = 30;
  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);

  private final WorkerConfig config;
  private final WorkerHandler handler;
  private final String nodeName;
  private final String nodeId;
  private final AtomicInteger held;
  private final WorkerMetrics.AddressMeters meters;
  /** The address everyone sends to; its own node's address is not unregistered before the node leaves the cluster. */
  private MessageConsumer<Object> consumer;
  /** The last reply as sent, and in JSON: a handler that answers the same reply each time has it built once. */
  private WorkerReply lastReply;
  private BusReply lastOnTheBus;
  private JsonObject lastJson;
  private final Drain drain = new Drain();

  /**
   * @param nodeId this node's id in the cluster, or null on a Vert.x that is not clustered
   * @param held   counts the requests not answered yet, across all workers of the node
   * @param meters the meters of the address, shared by its instances
   */
  public WorkerVerticle(WorkerConfig config, WorkerHandler handler, String nodeName, String nodeId,
                        AtomicInteger held, WorkerMetrics.AddressMeters meters) {
    this.config = config;
    this.meters = meters;
    this.handler = handler;
    this.nodeName = nodeName;
    this.nodeId = nodeId;
    this.held = held;
  }

  @Override
  public Future<?> start() {
    // Gateways find a worker by its address, greet its node, then send to its node's address: both there by then.
    return handler.start(vertx, config.options())
      .compose(started -> nodeId == null ? Future.<Void>succeededFuture() : consumeOnThisNode())
      .compose(registered -> {
        consumer = vertx.eventBus().consumer(config.address(), this::handle);
        return consumer.completion();
      });
  }

  /** This node's hello, then this node's own address of the worker's: a gateway greets a node before it sends there. */
  private Future<Void> consumeOnThisNode() {
    return Addresses.answerHellos(vertx.eventBus(), nodeId).completion()
      .compose(greeted -> vertx.eventBus().consumer(Addresses.onNode(config.address(), nodeId), this::handle)
        .completion());
  }

  private void handle(Message<Object> message) {
    long arrived = System.nanoTime();
    drain.arrived();
    BusRequest request;
    try {
      Object body = message.body();
      request = body instanceof DirectRequest direct ? direct.request()
        : body instanceof BusRequest enveloped ? enveloped : BusRequest.fromJson(body);
    } catch (ProtocolException e) {
      message.fail(BusFailure.BAD_REQUEST, e.getMessage());
      meters.ended(WorkerMetrics.Outcome.FAILED, arrived);
      return;
    }
    Future<WorkerReply> answer;
    try {
      answer = handler.handle(request);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    if (answer.isComplete()) {
      answer(message, request, answer, arrived);
      return;
    }
    drain.took();
    held.incrementAndGet();
    bounded(answer).onComplete(answered -> {
      answer(message, request, answered, arrived);
      held.decrementAndGet();
      drain.settled(1);
    });
  }

  /** The fixed text's delay is its own bound; a handler's answer is bounded by {@code timeoutMs}. */
  private Future<WorkerReply> bounded(Future<WorkerReply> answer) {
    return config.handler() == null ? answer : answer.timeout(config.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  private void answer(Message<Object> message, BusRequest request, AsyncResult<WorkerReply> answer, long arrived) {
    if (answer.succeeded() && answer.result() != null) {
      reply(message, answer.result());
      meters.ended(WorkerMetrics.Outcome.ANSWERED, arrived);
      return;
    }
    if (answer.cause() instanceof WorkerFailure failure) {
      fail(message, failure.status(), failure.getMessage());
    } else if (answer.cause() instanceof TimeoutException) {
      fail(message, BusFailure.TIMEOUT, "the worker did not answer within " + config.timeoutMs() + " ms");
      meters.ended(WorkerMetrics.Outcome.TIMED_OUT, arrived);
      return;
    } else {
      log.warn("worker {} failed on {} {}", config.handler(), request.method(), request.path(), answer.cause());
      fail(message, BusFailure.WORKER_FAILED, "the worker failed");
    }
    meters.ended(WorkerMetrics.Outcome.FAILED, arrived);
  }

  /** Answers in the form the request came in: to the gateway's reply address, in the envelope, or in JSON. */
  private void reply(Message<Object> message, WorkerReply reply) {
    Object body = message.body();
    if (body instanceof DirectRequest direct) {
      sendDirect(direct.replyTo(), DirectReply.answered(direct.id(), onTheBus(reply)), RESENDS);
    } else if (body instanceof BusRequest) {
      message.reply(onTheBus(reply));
    } else {
      // Options of its own per reply: a tracer may add headers to them.
      message.reply(json(reply), new DeliveryOptions().addHeader(Envelope.ACCEPTED, Envelope.VERSION));
    }
  }

  private void fail(Message<Object> message, int failureCode, String description) {
    if (message.body() instanceof DirectRequest direct) {
      sendDirect(direct.replyTo(), DirectReply.failed(direct.id(), failureCode, description), RESENDS);
    } else {
      message.fail(failureCode, description);
    }
  }

  /**
   * Sends a direct answer; one that finds no consumer at the gateway's reply address is sent again: a merge of a split
   * cluster can lose the address from the registry until the gateway's node puts it back, which it does at once.
   */
  private void sendDirect(String replyTo, DirectReply answer, int resendsLeft) {
    vertx.eventBus().sender(replyTo, AS_A_REPLY).write(answer).onFailure(unsent -> {
      if (resendsLeft > 0 && unsent instanceof ReplyException refused && refused.failureType() == ReplyFailure.NO_HANDLERS) {
        vertx.setTimer(RESEND_MS, again -> sendDirect(replyTo, answer, resendsLeft - 1));
      }
    });
  }

  private BusReply onTheBus(WorkerReply reply) {
    if (reply != lastReply) {
      lastOnTheBus = reply.servedBy(nodeName);
      lastJson = null;
      lastReply = reply;
    }
    return lastOnTheBus;
  }

  private JsonObject json(WorkerReply reply) {
    BusReply onTheBus = onTheBus(reply);
    if (lastJson == null) {
      lastJson = reply.isText() ? onTheBus.toJson() : onTheBus.toJsonBinary();
    }
    return lastJson;
  }

  /**
   * Serves until quiet, unregisters the address cluster-wide, then answers the requests it holds, within
   * {@code timeoutMs} in all. Call once the node has announced its drain. The node's own address stays until the node
   * leaves: only gateways send there, and a request one sent before it heard of the drain may arrive after it (a host
   * that stalled for seconds), to be answered rather than dropped.
   */
  public Future<Void> drain(long timeoutMs) {
    return Future.<Void>future(promise -> context.runOnContext(onContext ->
      drain.run(vertx, nodeId != null, timeoutMs, () -> consumer.unregister()).onComplete(promise)));
  }
}
