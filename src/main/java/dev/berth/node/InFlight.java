package dev.berth.node;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests a node is working on: forwarded by its gateway and not yet answered, and held by its workers during their
 * delay. Shown by {@code GET /health} and when the node drains.
 */
public record InFlight(AtomicInteger gateway, AtomicInteger workers) {

  public JsonObject toJson() {
    return new JsonObject().put("gateway", gateway.get()).put("workers", workers.get());
  }
}
