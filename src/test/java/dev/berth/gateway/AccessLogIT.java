package dev.berth.gateway;

import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.PrometheusText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The built jar with {@code BERTH_ACCESS_LOG=true}: the access log as a user reads it, in the node's output. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AccessLogIT {

  private static final int REQUESTS = 300;

  private final LocalCluster node = new LocalCluster(ItLogs.directory(AccessLogIT.class), List.of("local"));

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  @DisplayName("BERTH_ACCESS_LOG=true: a line per answered request in the node's output, with the address and the"
    + " worker; every one of them is written by the time the node has stopped on SIGTERM, and the count of lines dropped"
    + " says none was")
  void everyAnsweredRequestLogged() throws IOException {
    node.env("local").put("BERTH_ACCESS_LOG", "true");
    node.start("local", "conf/local.json").awaitHealthy(Duration.ofSeconds(60));

    assertThat(Http.get(node.gatewayUrl("/apple?x=1")).status()).isEqualTo(200);
    assertThat(Http.get(node.gatewayUrl("/Zebra")).status()).isEqualTo(200);
    assertThat(Http.get(node.gatewayUrl("/1abc")).status()).isEqualTo(404);
    assertThat(rawExchange(node.httpPort(), "GET /apple HTTP/2.0\r\nHost: berth\r\n\r\n")).startsWith("HTTP/1.0 505 ");
    for (int i = 4; i < REQUESTS; i++) {
      Http.get(node.gatewayUrl("/apple"));
    }
    Map<String, Double> metrics = PrometheusText.samples(Http.get(node.managementUrl("local", "/metrics")).body());
    assertThat(node.node("local").stop(Duration.ofSeconds(30))).isZero();

    List<String> lines = node.node("local").output().lines().filter(line -> line.contains(" access - client=")).toList();
    assertThat(lines).hasSize(REQUESTS);
    assertThat(metrics.get("berth_gateway_access_log_dropped_total{node=\"local\"}")).as("lines dropped").isZero();
    assertThat(lines.get(0)).matches(".* INFO  \\[[^]]+] access - client=127\\.0\\.0\\.1"
      + " method=GET path=\"/apple\\?x=1\" version=http/1\\.1 status=200 bytes=5 ms=\\d+\\.\\d{3} address=first"
      + " node=\"local\" trace=[0-9a-f]{32}");
    assertThat(lines.get(1)).contains("path=\"/Zebra\"", "status=200", "address=second", "node=\"local\"");
    assertThat(lines.get(2)).contains("path=\"/1abc\"", "status=404", "address=- node=-");
    assertThat(lines.get(3)).as("a head the decoder refused").contains("method=- path=- version=- status=505",
      "address=- node=- trace=-");
  }

  /** What the gateway answers to {@code request} written as is, read until it closes the connection. */
  private static String rawExchange(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
