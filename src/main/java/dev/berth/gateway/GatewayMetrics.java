package dev.berth.gateway;

import dev.berth.runtime.Latency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway counts, shared by its verticle instances: each request by routed address, method and status, with
 * its time in buckets suited to milliseconds; the attempts beyond a request's first, by why; the requests, body bytes
 * and connections it holds; the access-log lines dropped. Every label has a bounded set of values: the configured
 * addresses (or {@value #UNROUTED}), the standard methods (or {@code OTHER}), the status codes the gateway answers
 * with, the three reasons to retry; never the path.
 */
public final class GatewayMetrics {

  /** The address label of a request that was answered before it had an address: no route, a bad head or body. */
  public static final String UNROUTED = "none";
  /** The timer of the gateway's answered requests. */
  public static final String REQUESTS = "berth.gateway.requests";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private final MeterRegistry registry;
  private final Map<RequestKey, Timer> requests = new ConcurrentHashMap<>();
  private final Map<RetryKey, Counter> retries = new ConcurrentHashMap<>();

  private record RequestKey(String address, String method, int status) {
  }

  private record RetryKey(String address, Retry reason) {
  }

  /** Why a request went to one more worker node, as the {@code reason} label says it. */
  enum Retry {
    /** Its node left the cluster, or the node's bridge client went away, before it answered. */
    WORKER_LOST("worker-lost"),
    /** Its attempt outlived {@code gateway.attemptTimeoutMs}: the node is slow, frozen or cut off. */
    OVERDUE("overdue"),
    /** Nothing consumed it at the node it was sent to. */
    NOT_CONSUMED("not-consumed");

    private final String label;

    Retry(String label) {
      this.label = label;
    }
  }

  /** Registers the load's gauges; {@code registry} may hold no backend at all, and then nothing is kept. */
  public GatewayMetrics(MeterRegistry registry, GatewayLoad load) {
    this.registry = registry;
    Gauge.builder("berth.gateway.requests.in.flight", load.requests(), Number::doubleValue)
      .description("Requests forwarded to workers and not answered yet").register(registry);
    Gauge.builder("berth.gateway.body.bytes.held", load.bodyBytes(), Number::doubleValue)
      .description("Bytes of request bodies the gateway holds, against gateway.maxBodyBytesInFlight")
      .baseUnit("bytes").register(registry);
    Gauge.builder("berth.gateway.connections", load.connections(), Number::doubleValue)
      .description("Open client connections").register(registry);
    FunctionCounter.builder("berth.gateway.access.log.dropped", AccessLog.class, ignored -> AccessLog.dropped())
      .description("Access-log lines dropped because their queue was full (the output not keeping up)")
      .register(registry);
  }

  /** No metrics: for a gateway on a node with {@code management.metrics} off, or in a test. */
  public static GatewayMetrics none() {
    return new GatewayMetrics(new CompositeMeterRegistry(), GatewayLoad.idle());
  }

  /** A request was answered with {@code status}, {@code startNanos} after it arrived. */
  void answered(String address, String method, int status, long startNanos) {
    requests.computeIfAbsent(new RequestKey(address, METHODS.contains(method) ? method : "OTHER", status), key ->
        Latency.timer(REQUESTS)
          .description("Requests answered by the gateway, by routed address, method and status")
          .tags("address", key.address(), "method", key.method(), "status", Integer.toString(key.status()))
          .register(registry))
      .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** A request for {@code address} went to one more worker node, for {@code reason}. */
  void retried(String address, Retry reason) {
    retries.computeIfAbsent(new RetryKey(address, reason), key -> Counter.builder("berth.gateway.retries")
        .description("Attempts beyond a request's first, by why: the worker was lost, the attempt overdue, or nothing"
          + " consumed it")
        .tags("address", key.address(), "reason", key.reason().label).register(registry))
      .increment();
  }
}
