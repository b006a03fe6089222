package dev.berth.worker;

import dev.berth.protocol.BusRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** berth's own worker: answers every request with the configured text, after the configured delay. */
final class FixedText implements WorkerHandler {

  private final WorkerReply reply;
  /** Answered without a delay, each request gets this same future: nothing allocated per request. */
  private final Future<WorkerReply> answered;
  private final int delayMs;
  private Vertx vertx;

  FixedText(String text, int delayMs) {
    this.reply = WorkerReply.text(text);
    this.answered = Future.succeededFuture(reply);
    this.delayMs = delayMs;
  }

  @Override
  public Future<Void> start(Vertx vertx, JsonObject options) {
    this.vertx = vertx;
    return Future.succeededFuture();
  }

  /** The same reply each time, so that the worker encodes it once. */
  @Override
  public Future<WorkerReply> handle(BusRequest request) {
    if (delayMs == 0) {
      return answered;
    }
    Promise<WorkerReply> delayed = Promise.promise();
    vertx.setTimer(delayMs, timer -> delayed.complete(reply));
    return delayed.future();
  }
}
