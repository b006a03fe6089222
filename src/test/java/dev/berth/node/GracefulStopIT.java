package dev.berth.node;

import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM stops taking requests, finishes those in flight, leaves the cluster and exits 0: checked on a gateway and a
 * worker that each hold a request when the signal arrives.
 */
@Timeout(120)
class GracefulStopIT {

  /** How long the test has to see the request in flight, on a loaded machine too, before the worker answers it. */
  private static final int DELAY_MS = 5_000;
  private static final Duration START_BOUND = Duration.ofSeconds(60);
  private static final Duration STOP_BOUND = Duration.ofSeconds(30);

  private LocalCluster cluster;

  @BeforeEach
  void start(TestInfo test) throws IOException {
    Path logs = ItLogs.directory(GracefulStopIT.class, test.getTestMethod().orElseThrow().getName());
    cluster = new LocalCluster(logs, List.of("gateway", "worker"));
    Path slowWorker = cluster.logs().resolve("slow-worker.json");
    Files.writeString(slowWorker, """
      {"roles": ["worker"],
       "workers": [{"address": "first", "response": "Slow", "delayMs": %d}],
       "cluster": {"host": "127.0.0.1"}}""".formatted(DELAY_MS));
    Path gateway = cluster.logs().resolve("gateway.json");
    // HTTP/2 without TLS for the test of a stream in flight; the shipped gateway leaves it off.
    Files.writeString(gateway, """
      {"roles": ["gateway"], "gateway": {"http2Cleartext": true, "requestTimeoutMs": %d},
       "cluster": {"host": "127.0.0.1"}}""".formatted(2 * DELAY_MS));
    cluster.start("gateway", gateway.toString());
    cluster.start("worker", slowWorker.toString());
    cluster.awaitHealthy(START_BOUND);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  @DisplayName("a gateway stopped while a request is in flight answers it, then exits 0 and takes no new requests")
  void gatewayFinishesInFlightRequest() throws Exception {
    CompletableFuture<Http.Response> inFlight = Http.getAsync(cluster.gatewayUrl("/a"));
    awaitInFlight("gateway", "gateway");

    assertThat(cluster.node("gateway").stop(STOP_BOUND)).as("gateway exit code").isZero();
    Http.Response answered = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("Slow");
    assertThat(Http.get(cluster.gatewayUrl("/a")).status()).as("no new requests after stop").isEqualTo(-1);
    assertThat(cluster.node("gateway").output()).contains("draining node gateway", "left the cluster and stopped");
  }

  @Test
  @DisplayName("an HTTP/2 request in flight on a stopping gateway is still answered after the GOAWAY")
  void gatewayFinishesInFlightHttp2Stream() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2));
      Future<HttpClientResponse> response = http2.request(HttpMethod.GET, cluster.httpPort(), "127.0.0.1", "/a")
        .compose(request -> request.send());
      Future<Buffer> body = response.compose(HttpClientResponse::body);
      awaitInFlight("gateway", "gateway");

      assertThat(cluster.node("gateway").stop(STOP_BOUND)).as("gateway exit code").isZero();
      assertThat(body.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString()).isEqualTo("Slow");
      assertThat(response.result().version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.result().statusCode()).isEqualTo(200);
      // Only now: Vert.x closes a client, and its connections, once nothing refers to it.
      http2.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a worker stopped while it holds a request still answers it, then exits 0")
  void workerFinishesHeldRequest() throws Exception {
    CompletableFuture<Http.Response> inFlight = Http.getAsync(cluster.gatewayUrl("/a"));
    awaitInFlight("worker", "workers");

    assertThat(cluster.node("worker").stop(STOP_BOUND)).as("worker exit code").isZero();
    Http.Response answered = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("Slow");
    assertThat(Http.get(cluster.gatewayUrl("/a")).status()).as("the address has no worker left").isEqualTo(503);
  }

  private void awaitInFlight(String node, String counter) {
    Poll.until(node + " holding the request", Duration.ofMillis(DELAY_MS),
      () -> Http.get(cluster.managementUrl(node, "/health")).json().getJsonObject("inFlight").getInteger(counter),
      count -> count == 1);
  }
}
