package dev.berth.testing;

import dev.berth.protocol.BusRequest;
import dev.berth.worker.WorkerFailure;
import dev.berth.worker.WorkerHandler;
import dev.berth.worker.WorkerReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A user's own worker, as HandlerIT runs it from the test classes: echoes the request as JSON with its greeting
 * option, returns the body's bytes on {@code /a/bytes}, fails with 418 on {@code /a/fail}, throws on
 * {@code /a/crash} and never answers on {@code /a/hang}.
 */
public final class EchoHandler implements WorkerHandler {

  private String greeting;

  @Override
  public Future<Void> start(Vertx vertx, JsonObject options) {
    greeting = options.getString("greeting", "hello");
    return Future.succeededFuture();
  }

  @Override
  public Future<WorkerReply> handle(BusRequest request) {
    return switch (request.path()) {
      case "/a/bytes" -> Future.succeededFuture(new WorkerReply(200, "application/octet-stream", request.body()));
      case "/a/fail" -> Future.failedFuture(new WorkerFailure(418, "no coffee here"));
      case "/a/crash" -> throw new IllegalStateException("a detail for the worker's log only");
      case "/a/hang" -> Promise.<WorkerReply>promise().future();
      default -> Future.succeededFuture(new WorkerReply(200, "application/json", new JsonObject()
        .put("greeting", greeting).put("method", request.method()).put("path", request.path())
        .put("query", request.query()).put("test", request.headers().get("x-test"))
        .put("bodyLength", request.body().length()).toBuffer()));
    };
  }
}
