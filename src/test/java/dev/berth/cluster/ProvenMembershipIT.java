package dev.berth.cluster;

import com.hazelcast.config.Config;
import dev.berth.Main;
import dev.berth.protocol.BusReply;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Docker;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastNodeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS cluster of three JVMs from the built jar, with certificates from {@code java -jar berth.jar certs}, and
 * strangers that reach its Hazelcast port and know its name, each serving {@code first} with "EVIL": a clustered
 * Vert.x in this JVM without a certificate; a berth node with a certificate from another authority; and a clustered
 * Vert.x that also writes registrations into the cluster's registry and points a real worker's node info at itself.
 * None of them answers or loses a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class ProvenMembershipIT {

  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final int REQUESTS = 300;

  private final Path logs = ItLogs.directory(ProvenMembershipIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, NODES);
  private final Path certs = logs.resolve("certs");
  private final Path otherCerts = logs.resolve("other-certs");
  private final List<Vertx> strangers = new ArrayList<>();

  @BeforeAll
  void startTlsCluster() {
    makeCertificates(certs, "gateway", "worker-first", "worker-second");
    makeCertificates(otherCerts, "foreign");
    for (String node : NODES) {
      cluster.env(node).putAll(tlsEnv(certs, node));
      cluster.start(node, "conf/" + node + ".json");
    }
    cluster.awaitHealthy(BOUND);
  }

  @AfterAll
  void stop() throws Exception {
    for (Vertx stranger : strangers) {
      stranger.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("the TLS cluster serves /a and /z, and every member is proven")
  void servesAndProves() {
    Http.Response first = Poll.until("First", BOUND, () -> get("/a"), response -> response.status() == 200).value();
    Http.Response second = Poll.until("Second", BOUND, () -> get("/z"), response -> response.status() == 200).value();

    assertThat(first.body()).isEqualTo("First");
    assertThat(second.body()).isEqualTo("Second");
    JsonObject view = Http.get(cluster.managementUrl("gateway", "/cluster")).json();
    assertThat(view.getBoolean("tls")).isTrue();
    assertThat(Members.of(cluster.managementUrl("gateway", ""))).containsOnlyKeys(NODES)
      .allSatisfy((name, member) -> assertThat(member.getBoolean("proven")).as(name).isTrue());
    assertThat(cluster.node("gateway").output()).contains("event bus mutual TLS as CN=gateway");
  }

  @Test
  @Order(2)
  @DisplayName("strangers without a certificate, with another authority's, and writing the registry, answer none of"
    + " 300 requests to /a and cause no failure; the gateway flags them")
  void strangersGetNothing() throws Exception {
    String seed = cluster.env("gateway").get("BERTH_CLUSTER_MEMBERS").split(",")[0];
    stranger(seed);
    BerthProcess foreign = foreignNode();
    Vertx writer = stranger(seed);
    HazelcastClusterManager writing = (HazelcastClusterManager) ((VertxInternal) writer).clusterManager();
    for (String fakeNode : List.of(writing.getNodeId(), UUID.randomUUID().toString())) {
      await(Future.<Void>future(promise -> writing.addRegistration("first", new RegistrationInfo(fakeNode, 4242, false),
        promise)));
    }
    Map<String, JsonObject> members = Members.of(cluster.managementUrl("gateway", ""));
    String realWorker = members.get("worker-first").getString("id");
    writing.getHazelcastInstance().getMap("__vertx.nodeInfo").put(realWorker,
      new HazelcastNodeInfo(new NodeInfo("127.0.0.1", eventBusPort(writer), new JsonObject().put("name", "worker-first"))));
    Poll.until("the strangers among the gateway's members", BOUND,
      () -> Members.all(cluster.managementUrl("gateway", "")).size(), size -> size == 6);
    foreign.awaitHealthy(BOUND);

    Map<String, Long> answers = IntStream.range(0, REQUESTS).mapToObj(i -> get("/a"))
      .collect(Collectors.groupingBy(response -> response.status() + " " + response.body() + " from "
        + response.servedBy() + " at attempt " + response.attempts(), Collectors.counting()));

    assertThat(answers).as("no request is even tried on a stranger").containsOnlyKeys(
      "200 First from worker-first at attempt 1");
    List<String> realIds = NODES.stream().map(node -> members.get(node).getString("id")).toList();
    assertThat(Members.all(cluster.managementUrl("gateway", ""))).filteredOn(member -> !realIds.contains(
      member.getString("id"))).hasSize(3).allSatisfy(member -> assertThat(member.getBoolean("proven")).isFalse());
    Poll.until("a warning about the other authority's stranger", BOUND, () -> cluster.node("gateway").output(),
      output -> output.contains("is not from this cluster's authority; no request goes to it"));
  }

  @Test
  @Order(3)
  @DisplayName("a node without cluster.tls joining the TLS cluster refuses to start: exit 78 and one line")
  void plainNodeRefused() {
    BerthProcess plain = cluster.start("plain", "conf/worker-second.json");
    assertThat(plain.awaitExit(BOUND)).as(plain.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(plain.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: cluster '" + cluster.name() + "' runs with TLS \\((gateway|worker-first|worker-second) proves its"
        + " membership\\), but this node has no cluster.tls: set BERTH_TLS_CA, BERTH_TLS_CERT and BERTH_TLS_KEY");
  }

  /**
   * A berth node from the same jar with a certificate from another authority, so with mutual TLS and a proof of its
   * own, whose worker answers "EVIL" on first.
   */
  private BerthProcess foreignNode() throws Exception {
    Path conf = logs.resolve("foreign.json");
    Files.writeString(conf, new JsonObject().put("roles", new JsonArray().add("worker"))
      .put("workers", new JsonArray().add(new JsonObject().put("address", "first").put("response", "EVIL")))
      .put("cluster", new JsonObject().put("host", "127.0.0.1")).encode());
    cluster.env("foreign").putAll(tlsEnv(otherCerts, "foreign"));
    return cluster.start("foreign", conf.toString());
  }

  /** A clustered Vert.x without TLS that joins through the seed and answers "EVIL" on first. */
  private Vertx stranger(String seed) throws Exception {
    Config hazelcast = ClusterSetup.loadHazelcastConfig().setClusterName(cluster.name());
    hazelcast.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
      .setInterfaces(List.of("127.0.0.1"));
    hazelcast.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of(seed));
    hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    EventBusOptions eventBus = new EventBusOptions().setHost("127.0.0.1");
    Vertx stranger = await(Vertx.builder().with(new VertxOptions().setEventBusOptions(eventBus))
      .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered());
    strangers.add(stranger);
    await(stranger.eventBus().consumer("first", message -> message.reply(BusReply.text("EVIL", "stranger").toJson()))
      .completion());
    return stranger;
  }

  private static int eventBusPort(Vertx stranger) {
    return ((VertxInternal) stranger).clusterManager().getNodeInfo().port();
  }

  private Http.Response get(String path) {
    return Http.get(cluster.gatewayUrl(path));
  }

  private static void makeCertificates(Path directory, String... nodes) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", BerthProcess.JAR.toString(), "certs", directory.toString()));
    command.addAll(List.of(nodes));
    Docker.run(command, Duration.ofSeconds(60));
  }

  static Map<String, String> tlsEnv(Path directory, String node) {
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_TLS_CA", directory.resolve("ca.pem").toString());
    env.put("BERTH_TLS_CERT", directory.resolve(node + ".pem").toString());
    env.put("BERTH_TLS_KEY", directory.resolve(node + "-key.pem").toString());
    return env;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
