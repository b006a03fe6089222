package dev.berth.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import dev.berth.Main;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;
import dev.berth.config.TlsConfig;
import dev.berth.protocol.BusReply;
import dev.berth.testing.BackgroundLoad;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Certificates;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import dev.berth.testing.PrometheusText;
import dev.berth.testing.StockHazelcast;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A TLS cluster of three JVMs from the built jar, certificates from {@code java -jar berth.jar certs}, under a steady
 * load, and strangers that reach its Hazelcast ports and know its name and partition count: a Hazelcast client; a stock
 * Vert.x member serving {@code first} with "EVIL"; a stock member carrying a real member's signed attributes, replayed
 * from another address; four stock members that form a bigger cluster and invite the TLS cluster to merge into it; a
 * berth node with another authority's certificate. None of them becomes a member, none answers a request, no request
 * fails, and each node logs the refusals of a source address once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class StrangersIT {

  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Path logs = ItLogs.directory(StrangersIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, NODES);
  private final Path certs = logs.resolve("certs");
  private final Path otherCerts = logs.resolve("other-certs");
  private final List<HazelcastInstance> strangers = new CopyOnWriteArrayList<>();
  private final List<Vertx> strangeVertx = new CopyOnWriteArrayList<>();
  private List<String> seeds;
  private BackgroundLoad load;

  @BeforeAll
  void startTlsCluster() {
    Certificates.make(certs, "gateway", "worker-first", "worker-second", "observer");
    Certificates.make(otherCerts, "foreign");
    for (String node : NODES) {
      cluster.env(node).putAll(Certificates.env(certs, node));
      cluster.start(node, "conf/" + node + ".json");
    }
    cluster.awaitHealthy(BOUND);
    seeds = List.of(cluster.env("gateway").get("BERTH_CLUSTER_MEMBERS").split(","));
  }

  @AfterAll
  void stop() throws Exception {
    if (load != null) {
      load.close();
    }
    for (Vertx vertx : strangeVertx) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    strangers.forEach(stranger -> stranger.getLifecycleService().terminate());
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
    assertThat(Members.of(cluster.managementUrl("gateway", ""))).containsOnlyKeys(NODES)
      .allSatisfy((name, member) -> assertThat(member.getBoolean("proven")).as(name).isTrue());
    assertThat(cluster.node("gateway").output())
      .contains("event bus mutual TLS as CN=gateway, only proven members join and get requests");
  }

  @Test
  @Order(2)
  @DisplayName("a Hazelcast client, a stock Vert.x member, a replayed member, a bigger stock cluster and a berth node"
    + " of another authority: none gets in, none answers, and no request of a steady load fails")
  void strangersGetNothing() throws Exception {
    Map<String, String> realMember = attributesOf("worker-first");
    load = BackgroundLoad.on(cluster);

    ClientConfig client = new ClientConfig().setClusterName(cluster.name());
    client.getNetworkConfig().setAddresses(seeds);
    client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client)).as("a Hazelcast client")
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("Unable to connect to any cluster");

    Future<Vertx> evil = stockVertx("127.0.0.2");

    Config replayer = StockHazelcast.member(cluster.name(), "127.0.0.3", seeds);
    realMember.forEach(replayer.getMemberAttributeConfig()::setAttribute);
    Future<HazelcastInstance> replayed = stranger(replayer);

    List<HazelcastInstance> lure = new ArrayList<>();
    List<Config> lureConfigs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      lureConfigs.add(StockHazelcast.member(cluster.name(), "127.0.0.4", List.of())
        .setProperty("hazelcast.merge.first.run.delay.seconds", "5")
        .setProperty("hazelcast.merge.next.run.delay.seconds", "5"));
    }
    List<String> lureSeeds = lureConfigs.stream().map(member -> "127.0.0.4:" + member.getNetworkConfig().getPort())
      .toList();
    lureConfigs.forEach(member -> member.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(lureSeeds));
    for (Config member : lureConfigs) {
      lure.add(stranger(member).toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS));
    }
    Poll.until("the stock members in one cluster of four", BOUND, () -> lure.get(0).getCluster().getMembers().size(),
      size -> size == 4);
    // Four members, more than the TLS cluster's three: its search for clusters to merge with now reaches the seeds.
    lure.forEach(member -> seeds.forEach(member.getConfig().getNetworkConfig().getJoin().getTcpIpConfig()::addMember));
    double refusedOnceFormed = refusedConnections();
    Poll.until("two rounds of the stock cluster's search for a cluster to merge with, refused at each TLS seed", BOUND,
      this::refusedConnections, refused -> refused >= refusedOnceFormed + 2 * NODES.size());
    BerthProcess foreign = foreignNode();
    assertThat(foreign.awaitExit(BOUND)).as(foreign.output()).isEqualTo(Main.EXIT_CONFIG);

    assertThat(foreign.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: 127\\.0\\.0\\.1:\\d+, a member of cluster '" + cluster.name() + "', refused this node: its"
        + " certificate \\(CN=foreign\\) is not from this cluster's authority");
    assertThat(Members.all(cluster.managementUrl("gateway", ""))).as("the gateway's members").hasSize(3);
    assertThat(Members.of(cluster.managementUrl("gateway", ""))).containsOnlyKeys(NODES);
    assertThat(aloneOrGone(evil.map(vertx -> ((VertxInternal) vertx).clusterManager().getNodes().size())))
      .as("the stock Vert.x").isTrue();
    assertThat(aloneOrGone(replayed.map(member -> member.getCluster().getMembers().size()))).as("the replayer")
      .isTrue();
    assertThat(lure.get(0).getCluster().getMembers()).as("the lure, still four").hasSize(4)
      .extracting(member -> member.getAddress().getHost()).containsOnly("127.0.0.4");
    load.close();
    assertThat(load.answers()).as("the steady load's answers").isNotEmpty()
      .containsOnlyKeys("200 from worker-first", "200 from worker-second");
  }

  @Test
  @Order(3)
  @DisplayName("each node logs the refusals of one source address once a minute, counting the rest")
  void refusalsLoggedOncePerSource() {
    for (String node : NODES) {
      List<String> refusals = cluster.node(node).output().lines()
        .filter(line -> line.contains("Refusals - refused a Hazelcast connection from ")).toList();
      Map<String, Long> bySource = refusals.stream().map(StrangersIT::source)
        .collect(java.util.stream.Collectors.groupingBy(source -> source, java.util.stream.Collectors.counting()));
      assertThat(bySource).as(node + ": " + refusals).allSatisfy((source, lines) -> assertThat(lines).isEqualTo(1));
    }
    String seedNode = cluster.node("gateway").output();
    assertThat(seedNode).contains("refused a Hazelcast connection from 127.0.0.1: it speaks Hazelcast's client protocol,"
      + " and berth members accept no clients");
    assertThat(seedNode).contains("refused a Hazelcast connection from 127.0.0.2: it speaks Hazelcast's member protocol"
      + " without berth's member handshake");
  }

  @Test
  @Order(4)
  @DisplayName("a node without cluster.tls joining the TLS cluster refuses to start: exit 78 and one line")
  void plainNodeRefused() {
    BerthProcess plain = cluster.start("plain", "conf/worker-second.json");
    assertThat(plain.awaitExit(BOUND)).as(plain.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(plain.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: seed 127\\.0\\.0\\.1:\\d+ is a member of a cluster whose members prove themselves with"
        + " cluster\\.tls, but this node has neither cluster\\.tls nor cluster\\.joinSecret: give every node of a"
        + " cluster the same TLS authority, or the same join secret, or neither");
  }

  /** A real member's Hazelcast attributes, its signed statement among them, as any member of the cluster sees them. */
  private Map<String, String> attributesOf(String node) throws Exception {
    String address = "127.0.0.1:" + cluster.env(node).get("BERTH_HAZELCAST_PORT");
    int port = FreePorts.next();
    ClusterConfig observer = new ClusterConfig(cluster.name(), "127.0.0.1", port, 0, seeds,
      ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, new TlsConfig(certs.resolve("ca.pem"),
      certs.resolve("observer.pem"), certs.resolve("observer-key.pem")), null);
    ClusterTls tls = ClusterTls.load(observer.tls());
    HazelcastInstance member = GatedHazelcast.start(ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), observer,
      Advertisement.bound(observer, "test"), new JsonObject(), tls).hazelcast(),
      new JoinGate(cluster.name(), JoinCredential.of(tls)));
    try {
      Member real = member.getCluster().getMembers().stream()
        .filter(candidate -> (candidate.getAddress().getHost() + ":" + candidate.getAddress().getPort()).equals(address))
        .findFirst().orElseThrow();
      assertThat(real.getAttributes()).containsKey(JoinGate.STATEMENT);
      return real.getAttributes();
    } finally {
      member.shutdown();
      Poll.until("the observer gone", BOUND, () -> Members.all(cluster.managementUrl("gateway", "")).size(),
        size -> size == 3);
    }
  }

  /**
   * A stock clustered Vert.x bound to {@code host} that joins through the seeds and answers "EVIL" on first; it may
   * give up, or start alone, when no seed lets it in.
   */
  private Future<Vertx> stockVertx(String host) {
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host)))
      .withClusterManager(new HazelcastClusterManager(StockHazelcast.member(cluster.name(), host, seeds)))
      .buildClustered().onSuccess(strangeVertx::add)
      .compose(vertx -> vertx.eventBus().consumer("first",
        message -> message.reply(BusReply.text("EVIL", "stranger").toJson())).completion().map(vertx));
  }

  /** A stock Hazelcast member started on a thread of its own; it fails when the member gave up. */
  private Future<HazelcastInstance> stranger(Config config) {
    Promise<HazelcastInstance> started = Promise.promise();
    Thread start = new Thread(() -> StockHazelcast.start(config).ifPresentOrElse(stranger -> {
      strangers.add(stranger);
      started.complete(stranger);
    }, () -> started.fail("the stranger gave up")), "stranger");
    start.start();
    return started.future();
  }

  /** Whether a stranger, once its start ended, either gave up or sees only itself as its cluster. */
  private static boolean aloneOrGone(Future<Integer> clusterSize) throws Exception {
    try {
      return clusterSize.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS) == 1;
    } catch (java.util.concurrent.ExecutionException gaveUp) {
      return true;
    }
  }

  /** A berth node from the same jar with a certificate from another authority, whose worker answers "EVIL". */
  private BerthProcess foreignNode() throws Exception {
    Path conf = logs.resolve("foreign.json");
    Files.writeString(conf, new JsonObject().put("roles", new JsonArray().add("worker"))
      .put("workers", new JsonArray().add(new JsonObject().put("address", "first").put("response", "EVIL")))
      .put("cluster", new JsonObject().put("host", "127.0.0.1")).encode());
    cluster.env("foreign").putAll(Certificates.env(otherCerts, "foreign"));
    return cluster.start("foreign", conf.toString());
  }

  /** The Hazelcast connections the TLS cluster's nodes refused so far, from their metrics. */
  private double refusedConnections() {
    return NODES.stream().mapToDouble(node -> PrometheusText.samples(Http.get(cluster.managementUrl(node, "/metrics"))
      .body()).entrySet().stream().filter(sample -> sample.getKey().startsWith("berth_cluster_refused_total{")
        && sample.getKey().contains("refused=\"connection\"")).mapToDouble(Map.Entry::getValue).sum()).sum();
  }

  private static String source(String line) {
    Matcher matcher = Pattern.compile("refused a Hazelcast connection from (\\S+):").matcher(line);
    return matcher.find() ? matcher.group(1) : line;
  }

  private Http.Response get(String path) {
    return Http.get(cluster.gatewayUrl(path));
  }
}
