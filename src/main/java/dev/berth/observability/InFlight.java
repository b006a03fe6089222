package dev.berth.observability;

import dev.berth.gateway.GatewayLoad;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests a node is working on: forwarded by its gateway and not yet answered (with the bytes of their bodies), and
 * held by its workers during their delay. Shown by {@code GET /health} and when the node drains.
 */
public record InFlight(GatewayLoad gateway, AtomicInteger workers) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("gateway", gateway.requests().get())
      .put("gatewayBodyBytes", gateway.bodyBytes().get())
      .put("gatewayConnections", gateway.connections().get())
      .put("workers", workers.get());
  }
}
