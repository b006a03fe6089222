package dev.berth.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** A real Prometheus server (Debian's {@code prometheus}) scraping {@code /metrics} of some targets every second. */
public final class PrometheusServer implements AutoCloseable {

  private final RunningProcess process;
  private final int port;

  private PrometheusServer(RunningProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Prometheus with its config and data in {@code dir}, scraping each {@code host:port} target. */
  public static PrometheusServer scraping(List<String> targets, Path dir) {
    int port = FreePorts.next();
    Path config = dir.resolve("prometheus.yml");
    Path data;
    try {
      // A directory of its own: series a run before left in the same tree would answer this run's queries.
      data = Files.createTempDirectory(dir, "tsdb-");
      Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: berth
            static_configs:
              - targets: [%s]
        """.formatted(targets.stream().map(target -> "'" + target + "'").collect(Collectors.joining(", "))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessBuilder builder = new ProcessBuilder("prometheus", "--config.file=" + config,
      "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port);
    PrometheusServer server = new PrometheusServer(RunningProcess.start("prometheus", builder,
      dir.resolve("prometheus.log")), port);
    Poll.until("Prometheus ready", Duration.ofSeconds(60), () -> {
      server.process.assertAlive("before it was ready");
      return Http.get("http://127.0.0.1:" + port + "/-/ready").status();
    }, status -> status == 200);
    return server;
  }

  /** The result vector of an instant query: one object per series, with its {@code metric} labels and {@code value}. */
  public JsonArray query(String promql) {
    Http.Response response = Http.get("http://127.0.0.1:" + port + "/api/v1/query?query="
      + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (response.status() != 200) {
      throw new AssertionError("Prometheus refused " + promql + ": " + response);
    }
    return response.json().getJsonObject("data").getJsonArray("result");
  }

  /** A series' value as a number. */
  public static double value(Object series) {
    return Double.parseDouble(((JsonObject) series).getJsonArray("value").getString(1));
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
