package dev.berth.bridge;

import dev.berth.testing.BridgeCluster;
import dev.berth.testing.BridgeSocket;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.Poll;
import dev.berth.testing.WorkerProcess;
import dev.berth.testing.WorkerProcess.Language;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * berth's worker packages in Python, Node.js and Go, installed as their READMEs say and run as real processes,
 * registered through the TCP bridge of a worker JVM, serving a gateway JVM over real HTTP: what they answer, how they
 * share load, and what happens to the requests they hold when they are killed, stopped, or lose their bridge node. Each
 * language's worker serves its own address, which the gateway's routes prefer for one letter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class BridgeWorkersIT {

  private static final Duration BOUND = BridgeCluster.BOUND;

  private final BridgeCluster cluster = new BridgeCluster(ItLogs.directory(BridgeWorkersIT.class), new JsonObject());
  private final List<WorkerProcess> started = new ArrayList<>();

  @BeforeAll
  void start() {
    cluster.start();
  }

  @AfterEach
  void stopWorkers() {
    started.forEach(WorkerProcess::close);
    started.clear();
    Poll.until("no client serving at the bridge", BOUND, () -> cluster.bridgeStatus().getJsonObject("serving"),
      JsonObject::isEmpty);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** Where each language's worker is routed: its address, and a path whose first letter prefers it. */
  private static String address(Language language) {
    return switch (language) {
      case PYTHON -> "python";
      case NODE -> "node";
      case GO -> "go";
    };
  }

  private static String path(Language language) {
    return switch (language) {
      case PYTHON -> "/zebra";
      case NODE -> "/nuts";
      case GO -> "/gopher";
    };
  }

  private WorkerProcess worker(Language language, String name) {
    return worker(language, name, address(language));
  }

  private WorkerProcess worker(Language language, String name, String address) {
    WorkerProcess worker = cluster.worker(language, name, address);
    started.add(worker);
    cluster.awaitRouted(address);
    return worker;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("a worker answers the paths routed to its address; sees the request's headers, lower case, each with its"
    + " values in order, and the trace context; gets bytes that are not UTF-8 and sends them back unchanged; and fails"
    + " a request with the client's status and its message")
  void answers(Language language) throws IOException {
    String name = language.name().toLowerCase(Locale.ROOT) + "-1";
    worker(language, name);
    String path = path(language);

    Http.Response hello = Http.get(cluster.url(path));
    assertThat(hello.status()).isEqualTo(200);
    assertThat(hello.servedBy()).isEqualTo(name);
    assertThat(hello.body()).isEqualTo("Hello from " + language.title() + " worker " + name + ": GET " + path);

    HttpResponse<byte[]> response = Http.exchange(request(path + "/headers").header("X-Trace", "t-1")
      .header("x-many", "1").header("x-many", "2"));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject headers = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    assertThat(headers.getJsonArray("x-trace")).isEqualTo(new JsonArray().add("t-1"));
    assertThat(headers.getJsonArray("x-many")).isEqualTo(new JsonArray().add("1").add("2"));
    assertThat(headers.getJsonArray("traceparent")).containsExactly(response.headers().firstValue("traceparent")
      .orElseThrow());

    byte[] every = new byte[256];
    IntStream.range(0, every.length).forEach(i -> every[i] = (byte) i);
    HttpResponse<byte[]> echoed = Http.exchange(request(path + "/echo")
      .header("content-type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(every)));
    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(echoed.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(echoed.body()).isEqualTo(every);

    Http.Response failed = Http.get(cluster.url(path + "/fail/418"));
    assertThat(failed.status()).isEqualTo(418);
    assertThat(failed.json().getString("error"))
      .isEqualTo("worker for address '" + address(language) + "' failed: failed on purpose by " + name);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("two replicas of a worker share the requests, and a SIGTERM stops one cleanly with exit 0")
  void replicasShareLoad(Language language) {
    worker(language, "one");
    WorkerProcess two = worker(language, "two");

    Set<String> servedBy = IntStream.range(0, 20).mapToObj(i -> Http.get(cluster.url(path(language))))
      .peek(response -> assertThat(response.status()).isEqualTo(200))
      .map(Http.Response::servedBy).collect(Collectors.toSet());

    assertThat(servedBy).containsExactlyInAnyOrder("one", "two");
    assertThat(two.stop(BOUND)).isEqualTo(0);
    assertThat(cluster.bridgeStatus().getJsonObject("serving").getInteger(address(language))).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("kill -9 of a worker holding GETs: another replica answers them all")
  void killedWorkerRetried(Language language) {
    WorkerProcess doomed = worker(language, "doomed");
    List<CompletableFuture<Http.Response>> slow = IntStream.range(0, 6)
      .mapToObj(i -> Http.getAsync(cluster.url(path(language) + "/slow/1500"))).toList();
    cluster.awaitHolding(6);
    worker(language, "survivor");

    doomed.kill();

    assertThat(slow.stream().map(CompletableFuture::join)).allSatisfy(answer -> {
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
      assertThat(answer.servedBy()).isEqualTo("survivor");
    });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("kill -9 of a worker holding POSTs: they are not sent again, and fail at once with 502, not a 504 later")
  void killedWorkerFailsFast(Language language) {
    WorkerProcess doomed = worker(language, "doomed");
    worker(language, "survivor");
    List<CompletableFuture<HttpResponse<byte[]>>> slow = IntStream.range(0, 4)
      .mapToObj(i -> Http.exchangeAsync(request(path(language) + "/slow/1500")
        .POST(HttpRequest.BodyPublishers.ofString("x"))))
      .toList();
    cluster.awaitHolding(4);

    doomed.kill();

    List<HttpResponse<byte[]>> answers = slow.stream().map(CompletableFuture::join).toList();
    assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 502).contains(502);
    String address = address(language);
    assertThat(answers).filteredOn(answer -> answer.statusCode() == 502).allSatisfy(answer ->
      assertThat(new JsonObject(new String(answer.body(), StandardCharsets.UTF_8)).getString("error"))
        .isEqualTo("address '" + address + "': the bridge worker serving '" + address + "' disconnected before it"
          + " answered; the request was not sent again, as its method is not idempotent"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("SIGTERM: the worker takes no new request, answers those it holds, and exits 0")
  void sigtermFinishesHeldRequests(Language language) {
    WorkerProcess leaving = worker(language, "leaving");
    List<CompletableFuture<Http.Response>> slow = IntStream.range(0, 4)
      .mapToObj(i -> Http.getAsync(cluster.url(path(language) + "/slow/1000"))).toList();
    cluster.awaitHolding(4);

    assertThat(leaving.stop(BOUND)).isEqualTo(0);

    assertThat(slow.stream().map(CompletableFuture::join)).allSatisfy(answer ->
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200));
    assertThat(leaving.output()).contains("leaving stopped");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Language.class)
  @DisplayName("without the token, or with a bad setting, a worker exits 78 with one line naming the setting")
  void badSettings(Language language) {
    WorkerProcess noToken = cluster.workerWithoutToken(language);
    started.add(noToken);

    assertThat(noToken.awaitExit(BOUND)).isEqualTo(78);
    assertThat(noToken.output().strip()).isEqualTo("berth-worker: BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is"
      + " not set: the bridge's token, as its node has it");
  }

  @Test
  @DisplayName("a bridge client that dies holding GETs and POSTs, the only client of the preferred address of its route"
    + " (\"Z\": [\"python\", \"second\"]): the GETs go on to second and are answered, the POSTs get 502")
  void deadClientsGetsFollowTheRoute() {
    worker(Language.GO, "fallback", "second");
    try (BridgeSocket preferred = cluster.socket()) {
      assertThat(preferred.register("python", BridgeCluster.TOKEN).getString("type")).isEqualTo("registered");
      cluster.awaitRouted("python");
      List<CompletableFuture<HttpResponse<byte[]>>> gets = IntStream.range(0, 3)
        .mapToObj(i -> Http.exchangeAsync(request("/zebra/" + i))).toList();
      List<CompletableFuture<HttpResponse<byte[]>>> posts = IntStream.range(0, 2)
        .mapToObj(i -> Http.exchangeAsync(request("/zebra/" + i).POST(HttpRequest.BodyPublishers.ofString("x"))))
        .toList();
      IntStream.range(0, 5).forEach(i -> assertThat(preferred.read().getString("type")).isEqualTo("message"));

      preferred.close();

      assertThat(gets.stream().map(CompletableFuture::join)).allSatisfy(answer -> {
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("x-served-by")).hasValue("fallback");
      });
      assertThat(posts.stream().map(CompletableFuture::join)).allSatisfy(answer ->
        assertThat(answer.statusCode()).isEqualTo(502));
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  @DisplayName("when the bridge node restarts, the workers of every language connect again and serve")
  void bridgeNodeRestart() {
    List<WorkerProcess> workers = Arrays.stream(Language.values())
      .map(language -> worker(language, language.name().toLowerCase(Locale.ROOT) + "-1")).toList();
    assertThat(cluster.bridgeNode().stop(BOUND)).isEqualTo(0);
    Poll.until("/zebra unserved while the bridge is down", BOUND, () -> Http.get(cluster.url("/zebra")).status(),
      status -> status == 503);

    cluster.startBridge();

    workers.forEach(worker -> worker.awaitServing(2, BOUND));
    Poll.until("every language served again", BOUND,
      () -> Arrays.stream(Language.values()).map(language -> Http.get(cluster.url(path(language))).servedBy()).toList(),
      servedBy -> servedBy.equals(List.of("python-1", "node-1", "go-1")));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(cluster.url(path)));
  }
}
