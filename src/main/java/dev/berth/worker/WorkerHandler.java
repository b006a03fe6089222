package dev.berth.worker;

import dev.berth.protocol.BusRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * What a worker does with each request it consumes: the seam every worker of a berth node implements, the fixed-text
 * worker included. Name your class in {@code workers[].handler}; berth makes one instance per verticle instance with
 * its public no-argument constructor, and calls it on that verticle's event loop only, so it needs no locking.
 */
public interface WorkerHandler {

  /**
   * Called once, before the first request. {@code options} is {@code workers[].options}, empty when not given; a
   * failed start stops the node from starting.
   */
  default Future<Void> start(Vertx vertx, JsonObject options) {
    return Future.succeededFuture();
  }

  /**
   * The answer to one request, within {@code workers[].timeoutMs}. Fail it with a {@link WorkerFailure} to give the
   * client that status; any other failure, a thrown exception included, gives the client a 500 without its details
   * and is logged on this node.
   */
  Future<WorkerReply> handle(BusRequest request);
}
