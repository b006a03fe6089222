package dev.berth.testing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One client asking a cluster's gateway for /apple and /zebra in turn, until closed: a little steady traffic, whose
 * answers it counts by status and by the node that served them, and the longest any of them took.
 */
public final class BackgroundLoad implements AutoCloseable {

  private static final Duration ROUTED_BOUND = Duration.ofSeconds(60);

  private final AtomicBoolean loading = new AtomicBoolean(true);
  private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
  private final AtomicLong longestNanos = new AtomicLong();
  private final CompletableFuture<Void> load;

  private BackgroundLoad(String gatewayUrl) {
    load = CompletableFuture.runAsync(() -> {
      while (loading.get()) {
        ask(gatewayUrl + "/apple");
        ask(gatewayUrl + "/zebra");
      }
    });
  }

  private void ask(String url) {
    long start = System.nanoTime();
    Http.Response response = Http.get(url);
    longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    count(response);
  }

  private void count(Http.Response response) {
    answers.computeIfAbsent(response.status() + " from " + response.servedBy(), any -> new LongAdder()).increment();
  }

  /** The answers so far, "200 from worker-first" → how many; a refused connection counts as status -1. */
  public Map<String, Long> answers() {
    Map<String, Long> counted = new TreeMap<>();
    answers.forEach((answer, count) -> counted.put(answer, count.sum()));
    return counted;
  }

  /** The longest a request has waited for its answer so far. */
  public Duration longestWait() {
    return Duration.ofNanos(longestNanos.get());
  }

  /** Load on a local cluster's gateway once it routes both addresses the load asks for, so that no 503 is the test's. */
  public static BackgroundLoad on(LocalCluster cluster) {
    cluster.awaitRoutedToWorkers(ROUTED_BOUND);
    return on(cluster.gatewayUrl(""));
  }

  /** @param gatewayUrl a gateway's base URL, such as http://10.231.0.2:2345 */
  public static BackgroundLoad on(String gatewayUrl) {
    return new BackgroundLoad(gatewayUrl);
  }

  /** The answers that were not a 200, by status and node. */
  public Map<String, Long> failures() {
    Map<String, Long> failed = answers();
    failed.keySet().removeIf(answer -> answer.startsWith("200 "));
    return failed;
  }

  @Override
  public void close() {
    loading.set(false);
    load.join();
  }
}
