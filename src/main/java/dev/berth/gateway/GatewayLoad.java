package dev.berth.gateway;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's gateway holds across all its verticle instances: the requests forwarded and not yet answered, and the
 * bytes of request bodies claimed against {@code gateway.maxBodyBytesInFlight}.
 */
public record GatewayLoad(AtomicInteger requests, AtomicLong bodyBytes) {

  public static GatewayLoad idle() {
    return new GatewayLoad(new AtomicInteger(), new AtomicLong());
  }
}
