package dev.berth.observability;

import dev.berth.testing.BackgroundLoad;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Poll;
import dev.berth.testing.PrometheusServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's Prometheus scraping {@code /metrics} of a three-JVM cluster under a little load, and answering queries an
 * operator would ask: is every node up, how many requests did each address serve, how slow is the 99th percentile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PrometheusIT {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");

  private final Path logs = ItLogs.directory(PrometheusIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, NODES);
  private PrometheusServer prometheus;
  private BackgroundLoad load;

  @BeforeAll
  void start() {
    NODES.forEach(node -> cluster.start(node, "conf/" + node + ".json"));
    cluster.awaitHealthy(BOUND);
    prometheus = PrometheusServer.scraping(NODES.stream()
      .map(node -> "127.0.0.1:" + cluster.env(node).get("BERTH_MANAGEMENT_PORT")).toList(), logs);
    load = BackgroundLoad.on(cluster);
  }

  @AfterAll
  void stop() {
    // A start that failed halfway leaves some of these unset; the nodes must stop whatever happened.
    if (load != null) {
      load.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    cluster.close();
  }

  @Test
  @DisplayName("up is 1 for every node, each scraped as its management port")
  void everyNodeUp() {
    JsonArray up = Poll.until("three nodes up", BOUND, () -> prometheus.query("up"),
      result -> result.size() == 3 && result.stream().allMatch(series -> PrometheusServer.value(series) == 1)).value();

    assertThat(up.stream().map(series -> ((JsonObject) series).getJsonObject("metric").getString("instance")))
      .containsExactlyInAnyOrderElementsOf(NODES.stream()
        .map(node -> "127.0.0.1:" + cluster.env(node).get("BERTH_MANAGEMENT_PORT")).toList());
  }

  @Test
  @DisplayName("the gateway's requests by address: first and second, each answered 200")
  void requestsByAddress() {
    JsonArray byAddress = Poll.until("requests of both addresses", BOUND,
      () -> prometheus.query("sum by (address, status) (berth_gateway_requests_seconds_count{node=\"gateway\"})"),
      result -> result.size() == 2 && result.stream().allMatch(series -> PrometheusServer.value(series) > 10))
      .value();

    Map<String, String> statusByAddress = byAddress.stream().map(series -> ((JsonObject) series).getJsonObject("metric"))
      .collect(Collectors.toMap(labels -> labels.getString("address"), labels -> labels.getString("status")));
    assertThat(statusByAddress).isEqualTo(Map.of("first", "200", "second", "200"));
  }

  @Test
  @DisplayName("a 99th percentile from the histogram, in seconds, and the workers' requests by address")
  void latencyQuantileAndEventBus() {
    double p99 = Poll.until("a p99", BOUND, () -> prometheus.query(
        "histogram_quantile(0.99, sum by (le) (rate(berth_gateway_requests_seconds_bucket[10s])))"),
      result -> result.size() == 1 && Double.isFinite(PrometheusServer.value(result.getValue(0)))).value()
      .stream().mapToDouble(PrometheusServer::value).findFirst().orElseThrow();
    JsonArray processed = Poll.until("the workers' requests", BOUND,
      () -> prometheus.query("berth_worker_requests_seconds_count{address=~\"first|second\",outcome=\"answered\"}"),
      result -> result.size() >= 2).value();

    assertThat(p99).isPositive().isLessThanOrEqualTo(10);
    assertThat(processed.stream().map(series -> ((JsonObject) series).getJsonObject("metric").getString("node")))
      .contains("worker-first", "worker-second");
  }
}
