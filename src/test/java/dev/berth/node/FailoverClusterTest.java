package dev.berth.node;

import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.Poll;
import dev.berth.testing.PrometheusText;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway and replicas of a slow {@code first} worker, clustered Vert.x in this JVM over real Hazelcast. The node
 * holding a request loses its membership at once, as a crashed process does: a GET goes to the other replica, a POST
 * is not sent twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FailoverClusterTest {

  private static final int DELAY_MS = 600;
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final InJvmCluster cluster = new InJvmCluster("failover", BOUND);
  private final int seedPort = FreePorts.next();
  private final int httpPort = FreePorts.next();
  private final int managementPort = FreePorts.next();
  private final Map<String, Node> workers = new LinkedHashMap<>();

  /**
   * The gateway's attempt timeout is far above a crash's detection even on a loaded machine, so that a request moved
   * after a crash can only have moved because its node was lost.
   */
  @BeforeAll
  void startGatewayAndTwoReplicas() throws Exception {
    start("""
      {"name": "gateway", "roles": ["gateway"], "gateway": {"httpPort": %d, "attemptTimeoutMs": 15000,
       "requestTimeoutMs": 20000, "awaitWorkerMs": 15000}, "management":
       {"port": %d}, "cluster": {"host": "127.0.0.1", "hazelcastPort": %d, "members": ["127.0.0.1:%d"],
       "advertise": {"mode": "none"}}}""".formatted(httpPort, managementPort, seedPort, seedPort));
    startWorker("replica-1");
    startWorker("replica-2");
  }

  @AfterAll
  void closeAll() {
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("a GET whose node crashes while holding it is answered by the other replica, in a second attempt")
  void getMovesToTheOtherReplica() throws Exception {
    CompletableFuture<Http.Response> held = send("GET");
    String holder = crashTheHolder();

    Http.Response answered = held.get(BOUND.toSeconds(), TimeUnit.SECONDS);

    assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
    assertThat(answered.servedBy()).isNotEqualTo(holder).startsWith("replica-");
    assertThat(answered.attempts()).isEqualTo(2);
    assertThat(PrometheusText.samples(Http.get("http://127.0.0.1:" + managementPort + "/metrics").body()))
      .as("the gateway's retries by reason").containsEntry(
        "berth_gateway_retries_total{address=\"first\",node=\"gateway\",reason=\"worker-lost\"}", 1.0)
      .doesNotContainKeys(
        "berth_gateway_retries_total{address=\"first\",node=\"gateway\",reason=\"overdue\"}",
        "berth_gateway_retries_total{address=\"first\",node=\"gateway\",reason=\"not-consumed\"}");
  }

  @Test
  @Order(2)
  @DisplayName("a POST whose node crashes while holding it gets 502 at once and is not sent to another replica")
  void postIsNotSentTwice() throws Exception {
    startWorker("replica-3");
    CompletableFuture<Http.Response> held = send("POST");
    crashTheHolder();

    Http.Response answered = held.get(BOUND.toSeconds(), TimeUnit.SECONDS);

    assertThat(answered.status()).as("a second attempt would have been answered 200: " + answered).isEqualTo(502);
    assertThat(new JsonObject(answered.body()).getString("error")).isEqualTo("address 'first': the worker node left"
      + " before it answered; the request was not sent again, as its method is not idempotent");
  }

  @Test
  @Order(3)
  @DisplayName("a request for an address no node consumes waits for a worker that starts meanwhile, and gets its answer")
  void waitsForAWorkerToAppear() throws Exception {
    CompletableFuture<Http.Response> waiting = send("GET", "/zebra");
    startWorker("late-second", "second", "Second");

    Http.Response answered = waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS);

    assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("Second");
    assertThat(answered.servedBy()).isEqualTo("late-second");
  }

  /**
   * Ends the membership of the replica that holds the one request in flight, and its event bus with its Vert.x, as a
   * crash would; returns its name.
   */
  private String crashTheHolder() {
    String holder = Poll.until("a replica holding the request", BOUND, () -> workers.entrySet().stream()
      .filter(worker -> worker.getValue().verticle().inFlight().workers().get() == 1).map(Map.Entry::getKey)
      .findFirst().orElse(null), name -> name != null).value();
    Node crashed = workers.remove(holder);
    crashed.clusterManager().getHazelcastInstance().getLifecycleService().terminate();
    // Its event-bus connection to the gateway would otherwise still carry its answer.
    cluster.vertx(crashed).close();
    return holder;
  }

  private CompletableFuture<Http.Response> send(String method) {
    return send(method, "/apple");
  }

  private CompletableFuture<Http.Response> send(String method, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
      .method(method, HttpRequest.BodyPublishers.ofString(method.equals("POST") ? "pie" : ""))
      .timeout(BOUND).build();
    return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Http.Response(
      response.statusCode(), response.headers().firstValue("X-Served-By").orElse(null),
      response.headers().firstValue("X-Berth-Attempts").map(Integer::parseInt).orElse(1), response.body()));
  }

  private void startWorker(String name) throws Exception {
    workers.put(name, startWorker(name, "first", "First"));
    Poll.until(name + " among the gateway's consumers of first", BOUND, () -> consumersOf("first"),
      names -> names.contains(name));
  }

  private Node startWorker(String name, String address, String response) throws Exception {
    return start("""
      {"name": "%s", "roles": ["worker"], "workers": [{"address": "%s", "response": "%s", "delayMs": %d}],
       "management": {"port": %d}, "cluster": {"host": "127.0.0.1", "hazelcastPort": %d,
       "members": ["127.0.0.1:%d"], "advertise": {"mode": "none"}}}"""
      .formatted(name, address, response, DELAY_MS, FreePorts.next(), FreePorts.next(), seedPort));
  }

  /** The nodes the gateway sends {@code address} to, as its GET /cluster lists them. */
  private List<Object> consumersOf(String address) {
    Http.Response view = Http.get("http://127.0.0.1:" + managementPort + "/cluster");
    return view.status() == 200 ? view.json().getJsonObject("consumers").getJsonArray(address).getList() : List.of();
  }

  private Node start(String configJson) throws Exception {
    return cluster.start(configJson);
  }
}
