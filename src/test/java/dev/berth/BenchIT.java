package dev.berth;

import dev.berth.testing.Docker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/run.sh in its quick mode, so that the harness cannot rot: every system starts, takes load without errors and
 * is reported, with the chart. The numbers themselves are not judged here; they vary with the machine. It runs alone:
 * wrk counts an answer slower than its timeout as an error, and another test's load would slow every system.
 */
@Isolated
@Timeout(420)
class BenchIT {

  private static final Path OUT = Path.of("target", "bench-quick");
  private static final List<String> SYSTEMS = List.of("ceiling", "berth-local", "berth-cluster",
    "berth-cluster-nometrics", "berth-cluster-notracing", "berth-https", "berth-accesslog", "berth-prod", "berth-crl",
    "bridge-python", "bridge-node",
    "bridge-go", "bus-floor", "nginx", "haproxy", "caddy");

  @Test
  @DisplayName("the quick benchmark runs every system under load and writes the table, the JSON and the chart")
  void quickRun() throws IOException {
    Docker.Outcome run = Docker.execute(List.of("bash", "bench/run.sh", "--quick", "--out", OUT.toString()),
      Map.of("BENCH_PORT_BASE", "21000"), Duration.ofMinutes(6));
    System.out.println(run.output());

    assertThat(run.exitCode()).as("exit code, output:\n" + run.output()).isZero();
    assertThat(run.output()).contains("system", "req/s", "p99_ms", "berth-cluster / nginx:", "berth-local / ceiling:",
      "bus-floor / nginx:", "berth-prod / best peer (");
    JsonObject results = new JsonObject(Files.readString(OUT.resolve("latest.json")));
    JsonObject systems = results.getJsonObject("systems");
    assertThat(systems.fieldNames()).containsExactlyInAnyOrderElementsOf(SYSTEMS);
    for (String system : SYSTEMS) {
      JsonObject measured = systems.getJsonObject(system);
      assertThat(measured.getInteger("rps")).as(system + " requests/s").isPositive();
      assertThat(measured.getInteger("errors")).as(system + " errors").isZero();
      assertThat(measured.getJsonObject("rss_mb").getMap().values()).as(system + " RSS of each process")
        .isNotEmpty().allSatisfy(mb -> assertThat((Integer) mb).isPositive());
      assertThat(measured.getJsonObject("cpu_us_per_request").fieldNames()).as(system + " CPU of each process")
        .isEqualTo(measured.getJsonObject("rss_mb").fieldNames());
      assertThat(measured.getJsonObject("cpu_us_per_request").getMap().values().stream()
        .mapToDouble(us -> ((Number) us).doubleValue()).sum()).as(system + " CPU per request").isPositive();
      assertThat(measured.getNumber("idle_pct").doubleValue()).as(system + " machine idle, in percent")
        .isBetween(0.0, 100.0);
    }
    assertThat(results.getJsonObject("steal_pct").getInteger("max")).as("CPU stolen, in percent").isBetween(0, 100);
    assertThat(run.output()).contains("cpu_us/req", "idle_%", "CPU stolen by the hypervisor");
    assertThat(results.getJsonObject("ratios").getDouble("berth_cluster_vs_nginx_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("berth_cluster_vs_bus_floor_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getString("best_peer")).isIn("nginx", "haproxy", "caddy");
    assertThat(results.getJsonObject("ratios").getDouble("berth_prod_vs_best_peer_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("berth_prod_vs_best_peer_p99")).isPositive();
    JsonObject mixed = results.getJsonObject("mixed");
    assertThat(mixed.getJsonObject("systems").fieldNames()).as("the second load shape's systems")
      .containsExactlyInAnyOrder("berth-prod", "nginx", "haproxy", "caddy");
    for (String system : mixed.getJsonObject("systems").fieldNames()) {
      JsonObject measured = mixed.getJsonObject("systems").getJsonObject(system);
      assertThat(measured.getInteger("rps")).as(system + " requests/s, second shape").isPositive();
      assertThat(measured.getInteger("errors")).as(system + " errors, second shape").isZero();
    }
    assertThat(mixed.getDouble("berth_prod_vs_best_peer_rps")).isPositive();
    assertThat(run.output()).contains("second load shape: wrk -t1 -c200, a 1024-byte POST every other request:");
    assertThat(results.getJsonObject("ratios").getDouble("tls_on_vs_off_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("https_vs_http_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("access_log_on_vs_off_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("revocation_list_on_vs_off_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("metrics_on_vs_off_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("tracing_on_vs_off_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("bridge_python_vs_berth_cluster_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("bridge_node_vs_berth_cluster_rps")).isPositive();
    assertThat(results.getJsonObject("ratios").getDouble("bridge_go_vs_berth_cluster_rps")).isPositive();
    List<JsonObject> startup = results.getJsonArray("startup").stream().map(JsonObject.class::cast).toList();
    assertThat(startup).extracting(node -> node.getString("node"))
      .containsExactly("local", "gateway", "worker-first", "worker-second", "python-first", "node-first",
        "go-first");
    assertThat(startup.subList(0, 4)).allSatisfy(node -> assertThat(node.getInteger("ready_ms")).isPositive());
    assertThat(startup.subList(4, 7)).as("bridge workers, launch to first answer")
      .allSatisfy(node -> assertThat(node.getInteger("join_ms")).isPositive());
    byte[] chart = Files.readAllBytes(OUT.resolve("latest.png"));
    assertThat(chart).as("a PNG chart").startsWith(0x89, 'P', 'N', 'G').hasSizeGreaterThan(10_000);
  }
}
