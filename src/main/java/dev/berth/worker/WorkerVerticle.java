package dev.berth.worker;

import dev.berth.config.WorkerConfig;
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

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes one event-bus address and answers every request with the configured text, after the configured delay.
 * Drained, it serves what still arrives until its consumer is unregistered cluster-wide, then finishes the delayed
 * requests it holds.
 */
public final class WorkerVerticle extends VerticleBase {

  private final WorkerConfig config;
  private final String nodeName;
  private final AtomicInteger held;
  private MessageConsumer<Object> consumer;
  private JsonObject reply;
  private int inFlight;
  private Promise<Void> drained;

  /** {@code held} counts the delayed requests not yet answered, across all workers of the node. */
  public WorkerVerticle(WorkerConfig config, String nodeName, AtomicInteger held) {
    this.config = config;
    this.nodeName = nodeName;
    this.held = held;
  }

  @Override
  public Future<?> start() {
    reply = BusReply.text(config.response(), nodeName).toJson();
    consumer = vertx.eventBus().consumer(config.address(), this::handle);
    return consumer.completion();
  }

  private void handle(Message<Object> message) {
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

  /** Unregisters the consumer cluster-wide, then answers the requests it holds, within {@code timeoutMs} in all. */
  public Future<Void> drain(long timeoutMs) {
    return Future.<Void>future(promise -> context.runOnContext(onContext -> {
      drained = Promise.promise();
      consumer.unregister().compose(unregistered -> inFlight == 0 ? Future.<Void>succeededFuture() : drained.future())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(promise);
    }));
  }
}
