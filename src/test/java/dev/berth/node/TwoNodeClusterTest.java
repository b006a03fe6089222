package dev.berth.node;

import com.hazelcast.multimap.MultiMap;
import dev.berth.cluster.BerthClusterManager;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import dev.berth.testing.PrometheusText;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
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

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered Vert.x in this JVM, each a whole berth node built the way the jar builds one, over real Hazelcast on
 * loopback: a gateway and a worker for {@code first} whose replies take a moment, so that one can be in flight.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoNodeClusterTest {

  private static final int DELAY_MS = 300;
  private static final Duration BOUND = Duration.ofSeconds(20);
  /** Where vertx-hazelcast keeps the consumers of every address. */
  private static final String REGISTRY = "__vertx.subs";
  /** Where vertx-hazelcast keeps every node's info, by node id. */
  private static final String NODE_INFOS = "__vertx.nodeInfo";

  private final InJvmCluster cluster = new InJvmCluster("two-nodes", BOUND);
  private final int gatewayHazelcastPort = FreePorts.next();
  private final int httpPort = FreePorts.next();
  private Node gateway;
  private Node worker;
  /** What the gateway sent, in order: the address, a space, and the class of the message. */
  private final List<String> sent = new CopyOnWriteArrayList<>();
  /** The classes of what reached the gateway at a reply address of its own, in order. */
  private final List<String> repliedDirectly = new CopyOnWriteArrayList<>();

  @BeforeAll
  void startBothNodes() throws Exception {
    gateway = start("""
      {"name": "gateway", "roles": ["gateway"], "gateway": {"httpPort": %d}, "management": {"port": %d},
       "cluster": {"host": "127.0.0.1", "hazelcastPort": %d, "members": ["127.0.0.1:%d"],
                   "advertise": {"mode": "none"}}}"""
      .formatted(httpPort, FreePorts.next(), gatewayHazelcastPort, gatewayHazelcastPort));
    cluster.vertx(gateway).eventBus().addOutboundInterceptor(delivery -> {
      Object body = delivery.body();
      sent.add(delivery.message().address() + " " + (body == null ? "null" : body.getClass().getSimpleName()));
      delivery.next();
    });
    cluster.vertx(gateway).eventBus().addInboundInterceptor(delivery -> {
      if (delivery.message().address().startsWith("__berth.replies.")) {
        Object body = delivery.message().body();
        repliedDirectly.add(body == null ? "null" : body.getClass().getSimpleName());
      }
      delivery.next();
    });
    worker = start("""
      {"name": "worker", "roles": ["worker"], "workers": [{"address": "first", "response": "First", "delayMs": %d}],
       "management": {"port": %d, "eventBusMetrics": true},
       "cluster": {"host": "127.0.0.1", "hazelcastPort": %d, "members": ["127.0.0.1:%d"],
                   "advertise": {"mode": "none"}}}"""
      .formatted(DELAY_MS, FreePorts.next(), FreePorts.next(), gatewayHazelcastPort));
  }

  @AfterAll
  void closeBothNodes() throws Exception {
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("the gateway node forwards /a to the worker node; /z, which no node serves, gets 503")
  void routesToTheOtherNode() {
    Http.Response first = Poll.until("First from the worker node", BOUND, () -> get("/a"), r -> r.status() == 200)
      .value();
    Http.Response unserved = get("/z");

    assertThat(first.body()).isEqualTo("First");
    assertThat(first.servedBy()).isEqualTo("worker");
    assertThat(unserved.status()).isEqualTo(503);
    assertThat(unserved.json().getString("error")).isEqualTo("no worker for address 'second'");
  }

  @Test
  @Order(2)
  @DisplayName("GET /cluster on either node lists both, with roles, addresses and the Hazelcast address each advertises")
  void bothNodesSeeBoth() {
    for (Node node : List.of(gateway, worker)) {
      Map<String, JsonObject> members = Members.of(managementUrl(node));
      assertThat(members).containsOnlyKeys("gateway", "worker");
      assertThat(members.get("gateway").getJsonArray("roles")).isEqualTo(new JsonArray().add("gateway"));
      assertThat(members.get("worker").getJsonArray("addresses")).isEqualTo(new JsonArray().add("first"));
      assertThat(members.get("gateway").getString("hazelcast")).isEqualTo("127.0.0.1:" + gatewayHazelcastPort);
      assertThat(members.get("worker").getString("advertise")).isEqualTo("none");
      assertThat(Members.self(managementUrl(node)).getString("name")).isEqualTo(node.metadata().name());
    }
  }

  @Test
  @Order(2)
  @DisplayName("GET /metrics on each node: the gateway's requests by address, method and status with buckets, the"
    + " worker's by address and outcome, Vert.x's event bus only where eventBusMetrics is on, by address without node"
    + " ids, the cluster, the JVM and the process, every series named by its node")
  void metrics() {
    Map<String, Double> gatewaySeries = PrometheusText.samples(Http.get(managementUrl(gateway) + "/metrics").body());
    Map<String, Double> workerSeries = PrometheusText.samples(Http.get(managementUrl(worker) + "/metrics").body());

    assertThat(gatewaySeries.get("berth_gateway_requests_seconds_count{address=\"first\",method=\"GET\",node=\"gateway\","
      + "status=\"200\"}")).isGreaterThanOrEqualTo(1);
    assertThat(gatewaySeries.get("berth_gateway_requests_seconds_count{address=\"second\",method=\"GET\",node=\"gateway\","
      + "status=\"503\"}")).isGreaterThanOrEqualTo(1);
    assertThat(gatewaySeries.get("berth_gateway_requests_seconds_bucket{address=\"first\",method=\"GET\",node=\"gateway\","
      + "status=\"200\",le=\"10.0\"}")).isGreaterThanOrEqualTo(1);
    assertThat(gatewaySeries.get("berth_cluster_members{node=\"gateway\"}")).isEqualTo(2);
    assertThat(gatewaySeries.get("berth_gateway_requests_in_flight{node=\"gateway\"}")).isZero();
    assertThat(workerSeries.get("berth_worker_requests_seconds_count{address=\"first\",node=\"worker\","
      + "outcome=\"answered\"}")).isGreaterThanOrEqualTo(1);
    assertThat(workerSeries.get("berth_worker_requests_held{node=\"worker\"}")).isZero();
    assertThat(workerSeries.get("vertx_eventbus_processed_total{address=\"first\",node=\"worker\"}"))
      .isGreaterThanOrEqualTo(1);
    assertThat(gatewaySeries.keySet()).as("the gateway runs without eventBusMetrics")
      .noneMatch(name -> name.startsWith("vertx_eventbus_"));
    for (Map<String, Double> series : List.of(gatewaySeries, workerSeries)) {
      assertThat(series.keySet()).as("JVM and process").anyMatch(name -> name.startsWith("jvm_memory_used_bytes{"))
        .anyMatch(name -> name.startsWith("process_resident_memory_bytes{"));
      assertThat(series.keySet()).as("no label with a node id, no path").noneMatch(name -> name.contains("@"))
        .noneMatch(name -> name.contains("/a"));
    }
  }

  @Test
  @Order(2)
  @DisplayName("the gateway's first request to the worker node is JSON; once the worker answered that it takes berth's"
    + " envelope, the requests to it go in the envelope, and the answers come back to the gateway's reply address")
  void envelopeBetweenBerthNodes() {
    Http.Response answered = get("/apple");

    List<String> toFirst = sent.stream().filter(message -> message.startsWith("first@")).toList();
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("First");
    assertThat(answered.servedBy()).isEqualTo("worker");
    assertThat(toFirst.get(0)).endsWith(" JsonObject");
    assertThat(toFirst.get(toFirst.size() - 1)).endsWith(" DirectRequest");
    int firstEnveloped = toFirst.indexOf(toFirst.get(toFirst.size() - 1));
    assertThat(toFirst.subList(firstEnveloped, toFirst.size())).as("never JSON again")
      .allMatch(message -> message.endsWith(" DirectRequest"));
    assertThat(repliedDirectly).as("one direct reply per direct request").hasSize(toFirst.size() - firstEnveloped)
      .containsOnly("DirectReply");
  }

  @Test
  @Order(3)
  @DisplayName("a plain Vert.x consumer, which has no per-node address, is reached too, by Vert.x's own choice of node,"
    + " in JSON")
  void plainConsumer() throws Exception {
    MessageConsumer<Object> plain = cluster.vertx(worker).eventBus().consumer("second",
      message -> message.reply(BusReply.text("Plain", "plain consumer").toJson()));
    await(plain.completion());

    Http.Response answered = Poll.until("/z answered", BOUND, () -> get("/z"), r -> r.status() == 200).value();

    assertThat(answered.body()).isEqualTo("Plain");
    assertThat(answered.servedBy()).isEqualTo("plain consumer");
    assertThat(sent).filteredOn(message -> message.startsWith("second")).isNotEmpty()
      .allMatch(message -> message.endsWith(" JsonObject"));
    await(plain.unregister());
  }

  @Test
  @Order(3)
  @DisplayName("a consumer that the cluster's registry lost, as a merge of a split cluster can lose one, is put back by"
    + " its node, and /a is served again")
  void lostRegistrationIsPutBack() {
    MultiMap<String, Object> registry = gateway.clusterManager().getHazelcastInstance().getMultiMap(REGISTRY);

    assertThat(registry.remove("first")).isNotEmpty();

    Poll.until("the worker's consumer listed again", BOUND, () -> registry.get("first"), listed -> !listed.isEmpty());
    assertThat(Poll.until("/a answered", BOUND, () -> get("/a"), r -> r.status() == 200).value().body())
      .isEqualTo("First");
  }

  @Test
  @Order(3)
  @DisplayName("while vertx-hazelcast's membership handler holds its lock, as it does while Hazelcast keeps it waiting,"
    + " the registry check on an event loop neither waits for that lock nor needs it to put back the node's lost info")
  void registryCheckDoesNotWaitForTheMembershipLock() throws Exception {
    BerthClusterManager manager = worker.clusterManager();
    Map<String, Object> nodeInfos = manager.getHazelcastInstance().getMap(NODE_INFOS);
    nodeInfos.remove(manager.getNodeId());
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread membershipHandler = new Thread(() -> {
      synchronized (manager) {
        held.countDown();
        awaitQuietly(release);
      }
    }, "as vertx-hazelcast's memberRemoved");
    membershipHandler.start();
    try {
      assertThat(held.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> checked = new CompletableFuture<>();
      CompletableFuture<Future<List<String>>> repaired = new CompletableFuture<>();
      cluster.vertx(worker).runOnContext(onEventLoop -> {
        repaired.complete(manager.repairRegistry());
        checked.complete(Thread.currentThread().getName());
      });

      assertThat(checked.get(BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("vert.x-eventloop-thread-");
      assertThat(await(repaired.get(BOUND.toSeconds(), TimeUnit.SECONDS))).containsExactly("node info");
      assertThat(nodeInfos).containsKey(manager.getNodeId());
    } finally {
      release.countDown();
      membershipHandler.join();
    }
  }

  @Test
  @Order(4)
  @DisplayName("a draining worker node answers the request it holds, and one that reaches its node's address after the"
    + " drain; once it is gone /a gets 503")
  void drainingWorkerFinishesWhatItHolds() throws Exception {
    CompletableFuture<Http.Response> held = Http.getAsync(gatewayUrl("/a"));
    Poll.until("the worker holding the request", BOUND, () -> worker.verticle().inFlight().workers().get(), n -> n == 1);

    await(worker.verticle().drain());
    Http.Response answered = held.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    // As a gateway's request sent before it heard of the drain, delayed by a stalled host.
    Message<Object> late = await(cluster.vertx(gateway).eventBus().request(
      Addresses.onNode("first", worker.clusterManager().getNodeId()),
      new BusRequest("GET", "/a", null, Map.of(), null).toJson()));
    cluster.stop(worker);
    Http.Response afterwards = Poll.until("503 once the worker left", BOUND, () -> get("/a"), r -> r.status() == 503)
      .value();

    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("First");
    assertThat(BusReply.fromJson(late.body()).body().toString()).isEqualTo("First");
    assertThat(afterwards.json().getString("error")).isEqualTo("no worker for address 'first'");
  }

  private Node start(String configJson) throws Exception {
    return cluster.start(configJson);
  }

  private Http.Response get(String path) {
    return Http.get(gatewayUrl(path));
  }

  private String gatewayUrl(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  private static String managementUrl(Node node) {
    return "http://127.0.0.1:" + node.config().management().port();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
