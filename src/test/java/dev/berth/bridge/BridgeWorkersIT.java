package dev.berth.bridge;

import dev.berth.testing.BridgeCluster;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.Poll;
import dev.berth.testing.ScriptWorker;
import dev.berth.testing.ScriptWorker.Language;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * berth's reference workers as real {@code python3} and {@code node} processes, registered through the TCP bridge of a
 * worker JVM, serving a gateway JVM over real HTTP: what they answer, how they share load, and what happens to the
 * requests they hold when they are killed, stopped, or lose their bridge node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class BridgeWorkersIT {

  private static final Duration BOUND = BridgeCluster.BOUND;

  private final BridgeCluster cluster = new BridgeCluster(ItLogs.directory(BridgeWorkersIT.class), new JsonObject());
  private ScriptWorker python;
  private ScriptWorker node;

  @BeforeAll
  void start() {
    cluster.start();
    python = cluster.worker(Language.PYTHON, "py-1", "second");
    node = cluster.worker(Language.NODE, "node-1", "first");
  }

  @AfterAll
  void stop() {
    python.close();
    node.close();
    cluster.close();
  }

  @ParameterizedTest(name = "{0} answers {1}")
  @CsvSource({"py-1, /zebra, Python", "node-1, /apple, Node.js"})
  @DisplayName("each reference worker answers the paths routed to its address")
  void routes(String worker, String path, String language) {
    Http.Response response = Http.get(cluster.url(path));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.servedBy()).isEqualTo(worker);
    assertThat(response.body()).isEqualTo("Hello from " + language + " worker " + worker + ": GET " + path);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/z/headers", "/a/headers"})
  @DisplayName("a worker sees the request's headers, lower case, each with its values in order, and the trace context"
    + " the gateway answered with (exporter none: no spans, the context passed on)")
  void headers(String path) throws IOException {
    HttpResponse<byte[]> response = Http.exchange(request(path).header("X-Trace", "t-1").header("x-many", "1")
      .header("x-many", "2"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject headers = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    assertThat(headers.getJsonArray("x-trace")).isEqualTo(new JsonArray().add("t-1"));
    assertThat(headers.getJsonArray("x-many")).isEqualTo(new JsonArray().add("1").add("2"));
    assertThat(headers.getJsonArray("traceparent")).containsExactly(response.headers().firstValue("traceparent")
      .orElseThrow());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/z/echo", "/a/echo"})
  @DisplayName("bytes that are not UTF-8 go to a worker and come back unchanged")
  void binaryBodies(String path) throws IOException {
    byte[] every = new byte[256];
    IntStream.range(0, every.length).forEach(i -> every[i] = (byte) i);

    HttpResponse<byte[]> response = Http.exchange(request(path).header("content-type", "application/octet-stream")
      .POST(HttpRequest.BodyPublishers.ofByteArray(every)));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(response.body()).isEqualTo(every);
  }

  @ParameterizedTest(name = "{0} fails with {1}")
  @CsvSource({"py-1, /z/fail/418, 418, second", "node-1, /a/fail/429, 429, first"})
  @DisplayName("a worker's failure code is the client's status, with its message")
  void failureCodes(String worker, String path, int status, String address) {
    Http.Response response = Http.get(cluster.url(path));

    assertThat(response.status()).isEqualTo(status);
    assertThat(response.json().getString("error"))
      .isEqualTo("worker for address '" + address + "' failed: failed on purpose by " + worker);
  }

  @Test
  @DisplayName("two replicas of a worker share the requests, and a SIGTERM stops one cleanly with exit 0")
  void replicasShareLoad() {
    try (ScriptWorker second = cluster.worker(Language.PYTHON, "py-2", "second")) {
      Set<String> servedBy = IntStream.range(0, 20).mapToObj(i -> Http.get(cluster.url("/zebra")))
        .peek(response -> assertThat(response.status()).isEqualTo(200))
        .map(Http.Response::servedBy).collect(Collectors.toSet());

      assertThat(servedBy).containsExactlyInAnyOrder("py-1", "py-2");
      assertThat(second.stop(BOUND)).isEqualTo(0);
    }
    assertThat(cluster.bridgeStatus().getJsonObject("serving").getInteger("second")).isEqualTo(1);
  }

  @Test
  @DisplayName("kill -9 of a worker holding GETs: another replica answers them all")
  void killedWorkerRetried() {
    try (ScriptWorker doomed = cluster.worker(Language.PYTHON, "py-doomed", "second")) {
      List<CompletableFuture<Http.Response>> slow = IntStream.range(0, 6)
        .mapToObj(i -> Http.getAsync(cluster.url("/z/slow/1500"))).toList();
      cluster.awaitHolding(6);

      doomed.kill();

      List<Http.Response> answers = slow.stream().map(CompletableFuture::join).toList();
      assertThat(answers).allSatisfy(answer -> {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.servedBy()).isEqualTo("py-1");
      });
    }
  }

  @Test
  @DisplayName("kill -9 of a worker holding POSTs: they are not sent again, and fail at once with 502, not a 504 later")
  void killedWorkerFailsFast() {
    try (ScriptWorker doomed = cluster.worker(Language.NODE, "node-doomed", "first")) {
      List<CompletableFuture<HttpResponse<byte[]>>> slow = IntStream.range(0, 4)
        .mapToObj(i -> Http.exchangeAsync(request("/a/slow/1500").POST(HttpRequest.BodyPublishers.ofString("x"))))
        .toList();
      cluster.awaitHolding(4);

      doomed.kill();

      List<HttpResponse<byte[]>> answers = slow.stream().map(CompletableFuture::join).toList();
      assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 502).contains(502);
      assertThat(answers).filteredOn(answer -> answer.statusCode() == 502).allSatisfy(answer ->
        assertThat(new JsonObject(new String(answer.body(), StandardCharsets.UTF_8)).getString("error"))
          .isEqualTo("address 'first': the bridge worker serving 'first' disconnected before it answered; the request"
            + " was not sent again, as its method is not idempotent"));
    }
  }

  @Test
  @DisplayName("SIGTERM: the worker takes no new request, answers those it holds, and exits 0")
  void sigtermFinishesHeldRequests() {
    try (ScriptWorker leaving = cluster.worker(Language.NODE, "node-leaving", "first")) {
      List<CompletableFuture<Http.Response>> slow = IntStream.range(0, 4)
        .mapToObj(i -> Http.getAsync(cluster.url("/a/slow/1000"))).toList();
      cluster.awaitHolding(4);

      assertThat(leaving.stop(BOUND)).isEqualTo(0);

      assertThat(slow.stream().map(CompletableFuture::join)).allSatisfy(answer ->
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200));
      assertThat(leaving.output()).contains("node-leaving stopped");
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  @DisplayName("when the bridge node restarts, the workers connect again and serve")
  void bridgeNodeRestart() {
    assertThat(cluster.bridgeNode().stop(BOUND)).isEqualTo(0);
    Poll.until("/zebra unserved while the bridge is down", BOUND, () -> Http.get(cluster.url("/zebra")).status(),
      status -> status == 503);

    cluster.startBridge();

    python.awaitServing(2, BOUND);
    node.awaitServing(2, BOUND);
    Poll.until("/zebra and /apple served again", BOUND,
      () -> Arrays.asList(Http.get(cluster.url("/zebra")).servedBy(), Http.get(cluster.url("/apple")).servedBy()),
      servedBy -> servedBy.equals(List.of("py-1", "node-1")));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(cluster.url(path)));
  }
}
