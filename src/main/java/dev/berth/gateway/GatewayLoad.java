package dev.berth.gateway;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's gateway holds across all its verticle instances: the requests forwarded and not yet answered, the
 * bytes of request bodies claimed against {@code gateway.maxBodyBytesInFlight}, and the open client connections.
 */
public record GatewayLoad(AtomicInteger requests, AtomicLong bodyBytes, AtomicInteger connections) {

  public static GatewayLoad idle() {
    return new GatewayLoad(new AtomicInteger(), new AtomicLong(), new AtomicInteger());
  }
}
