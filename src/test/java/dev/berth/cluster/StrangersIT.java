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
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
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
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS cluster of three JVMs from the built jar, certificates from {@code java -jar berth.jar certs}, under a steady
 * load, and strangers that reach its Hazelcast ports and know its name and partition count, one after another: a
 * Hazelcast client; stock Vert.x members serving {@code first} with "EVIL", one with a TLS event bus of its own; stock
 * Hazelcast members that write fake consumers of {@code first}, remove its registrations, or carry a real member's
 * signed attributes from another address; four stock members that form a bigger cluster and invite the TLS cluster to
 * merge into it; a berth node with another authority's certificate. None of them becomes a member, none answers a
 * request, no request fails, and each node logs the refusals of a source address once. The test prints the table of
 * the strangers and what they got.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class StrangersIT {

  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  private static final Duration BOUND = Duration.ofSeconds(60);
  /** Two of stock Hazelcast's searches for a cluster to merge with took 33 s of the 60 s bound in a CI run. */
  private static final Duration TWO_MERGE_SEARCHES = Duration.ofSeconds(120);
  private static final int REQUESTS = 200;
  /** Where vertx-hazelcast keeps the registry of consumers, by address. */
  private static final String VERTX_SUBSCRIPTIONS = "__vertx.subs";

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
  @DisplayName("strangers that know the cluster's name and partition count, each followed by 200 requests to /a: none"
    + " gets in, none answers, no request fails, and a steady load meanwhile loses nothing")
  void strangersGetNothing() throws Exception {
    Map<String, String> realMember = attributesOf("worker-first");
    load = BackgroundLoad.on(cluster);
    List<String> table = new ArrayList<>();

    table.add(stranger("a Hazelcast client removing first's registrations through the member port", () -> {
      ClientConfig client = new ClientConfig().setClusterName(cluster.name());
      client.getNetworkConfig().setAddresses(seeds);
      client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
      try {
        HazelcastClient.newHazelcastClient(client).getMultiMap(VERTX_SUBSCRIPTIONS).remove("first");
        return true;
      } catch (IllegalStateException refused) {
        assertThat(refused).hasMessageContaining("Unable to connect to any cluster");
        return false;
      }
    }));
    table.add(stranger("a stock Vert.x, no certificate, consuming first", () -> joined(stockVertx("127.0.0.2", null))));
    table.add(stranger("a stock Vert.x with a TLS event bus of another authority, consuming first",
      () -> joined(stockVertx("127.0.0.3", otherCerts))));
    table.add(stranger("a stock Hazelcast member writing fake consumers of first", () -> joined(stockMember("127.0.0.4",
      Map.of(), member -> member.getMultiMap(VERTX_SUBSCRIPTIONS).put("first", "fake")))));
    table.add(stranger("a stock Hazelcast member removing first's registrations every 100 ms", () -> joined(
      stockMember("127.0.0.5", Map.of(), member -> member.getMultiMap(VERTX_SUBSCRIPTIONS).remove("first")))));
    table.add(stranger("a stock Hazelcast member replaying worker-first's signed attributes from another address",
      () -> joined(stockMember("127.0.0.6", realMember, member -> { }))));
    table.add(stranger("four stock Hazelcast members inviting the cluster to merge into theirs", this::lure));
    table.add(stranger("a berth node with a certificate from another authority", () -> {
      BerthProcess foreign = foreignNode();
      assertThat(foreign.awaitExit(BOUND)).as(foreign.output()).isEqualTo(Main.EXIT_CONFIG);
      assertThat(foreign.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
        .matches("berth: 127\\.0\\.0\\.1:\\d+, a member of cluster '" + cluster.name() + "', refused this node: its"
          + " certificate \\(CN=foreign\\) is not from this cluster's authority");
      return false;
    }));

    System.out.println("| stranger | got in | requests to /a that failed | answered by a stranger |\n|---|---|---|---|\n"
      + String.join("\n", table));
    assertThat(table).allSatisfy(row -> assertThat(row).endsWith("| no | 0 of " + REQUESTS + " | 0 |"));
    assertThat(Members.of(cluster.managementUrl("gateway", ""))).containsOnlyKeys(NODES);
    load.close();
    assertThat(load.answers()).as("the steady load's answers").isNotEmpty()
      .containsOnlyKeys("200 from worker-first", "200 from worker-second");
  }

  @Test
  @Order(3)
  @DisplayName("each node logs the refusals of one source address at most once a minute")
  void refusalsLoggedOncePerSource() {
    for (String node : NODES) {
      List<String> refusals = cluster.node(node).output().lines()
        .filter(line -> line.contains("Refusals - refused a Hazelcast connection from ")).toList();
      Map<String, List<LocalTime>> bySource = refusals.stream().collect(Collectors.groupingBy(StrangersIT::source,
        Collectors.mapping(line -> LocalTime.parse(line.substring(0, line.indexOf(' '))), Collectors.toList())));
      assertThat(bySource).as(node + ": " + refusals).isNotEmpty().allSatisfy((source, times) -> {
        for (int i = 1; i < times.size(); i++) {
          assertThat(Duration.between(times.get(i - 1), times.get(i))).as(source).isGreaterThanOrEqualTo(Refusals.WINDOW);
        }
      });
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
      ClusterConfig.DEFAULT_SEED_WAIT_MS, ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, new TlsConfig(certs.resolve("ca.pem"),
      certs.resolve("observer.pem"), certs.resolve("observer-key.pem")), null, null);
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
   * Runs one stranger, then 200 requests to /a, and returns its row of the table: whether it got in (it says, and the
   * gateway lists more members than the cluster's), and how many requests failed or were answered by it.
   */
  private String stranger(String name, Callable<Boolean> stranger) throws Exception {
    boolean gotIn = stranger.call() || Members.all(cluster.managementUrl("gateway", "")).size() != NODES.size();
    List<Http.Response> answers = IntStream.range(0, REQUESTS).mapToObj(i -> get("/a")).toList();
    long failed = answers.stream().filter(answer -> answer.status() != 200).count();
    long foreign = answers.stream().filter(answer -> answer.status() == 200
      && !"worker-first".equals(answer.servedBy())).count();
    return "| " + name + " | " + (gotIn ? "yes" : "no") + " | " + failed + " of " + REQUESTS + " | " + foreign + " |";
  }

  /**
   * A stock clustered Vert.x bound to {@code host} that joins through the seeds and answers "EVIL" on first, its event
   * bus with TLS from {@code certificates} (its own authority) when given; it may give up, or start alone.
   */
  private Future<Integer> stockVertx(String host, Path certificates) {
    EventBusOptions eventBus = new EventBusOptions().setHost(host);
    if (certificates != null) {
      eventBus.setSsl(true).setTrustAll(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(certificates.resolve("foreign.pem").toString())
        .setKeyPath(certificates.resolve("foreign-key.pem").toString()));
    }
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(eventBus))
      .withClusterManager(new HazelcastClusterManager(StockHazelcast.member(cluster.name(), host, seeds)))
      .buildClustered().onSuccess(strangeVertx::add)
      .compose(vertx -> vertx.eventBus().consumer("first",
          message -> message.reply(BusReply.text("EVIL", "stranger").toJson())).completion()
        .map(registered -> ((VertxInternal) vertx).clusterManager().getNodes().size()));
  }

  /**
   * A stock Hazelcast member bound to {@code host} with {@code attributes}, joining through the seeds, that does
   * {@code mischief} every 100 ms once started; it may give up, or start alone.
   */
  private Future<Integer> stockMember(String host, Map<String, String> attributes,
                                      Consumer<HazelcastInstance> mischief) {
    Config config = StockHazelcast.member(cluster.name(), host, seeds);
    attributes.forEach(config.getMemberAttributeConfig()::setAttribute);
    return stranger(config).map(member -> {
      ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "mischief");
        thread.setDaemon(true);
        return thread;
      });
      // A fixed rate, not a wait for a condition: the stranger acts every 100 ms until its member stops.
      loop.scheduleAtFixedRate(() -> {
        try {
          mischief.accept(member);
        } catch (RuntimeException stopped) {
          loop.shutdown();
        }
        if (!member.getLifecycleService().isRunning()) {
          loop.shutdown();
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
      return member.getCluster().getMembers().size();
    });
  }

  /**
   * Four stock members that form a cluster of their own, bigger than the TLS cluster's three, then learn its seeds:
   * against stock Hazelcast, their search for a cluster to merge with would make the smaller one merge into theirs.
   * Whether it got in: the four did not stay among themselves.
   */
  private boolean lure() throws Exception {
    List<Config> configs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      configs.add(StockHazelcast.member(cluster.name(), "127.0.0.7", List.of())
        .setProperty("hazelcast.merge.first.run.delay.seconds", "5")
        .setProperty("hazelcast.merge.next.run.delay.seconds", "5"));
    }
    List<String> own = configs.stream().map(member -> "127.0.0.7:" + member.getNetworkConfig().getPort()).toList();
    configs.forEach(member -> member.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(own));
    List<HazelcastInstance> lure = new ArrayList<>();
    for (Config member : configs) {
      lure.add(stranger(member).toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS));
    }
    Poll.until("the stock members in one cluster of four", BOUND, () -> lure.get(0).getCluster().getMembers().size(),
      size -> size == 4);
    lure.forEach(member -> seeds.forEach(member.getConfig().getNetworkConfig().getJoin().getTcpIpConfig()::addMember));
    double refusedOnceFormed = refusedConnections();
    Poll.until("two rounds of the stock cluster's search for a cluster to merge with, refused at each TLS seed",
      TWO_MERGE_SEARCHES, this::refusedConnections, refused -> refused >= refusedOnceFormed + 2 * NODES.size());
    return !lure.get(0).getCluster().getMembers().stream().allMatch(member -> member.getAddress().getHost()
      .equals("127.0.0.7"));
  }

  /** A stock Hazelcast member, started; it fails when the member gave up. */
  private Future<HazelcastInstance> stranger(Config config) {
    return Future.fromCompletionStage(StockHazelcast.start(config)).compose(started -> started.map(stranger -> {
      strangers.add(stranger);
      return Future.succeededFuture(stranger);
    }).orElseGet(() -> Future.failedFuture("the stranger gave up")));
  }

  /** Whether a stranger, once its start ended, is in a cluster of more than itself; one that gave up is not. */
  private static boolean joined(Future<Integer> clusterSize) throws Exception {
    try {
      return clusterSize.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS) > 1;
    } catch (ExecutionException gaveUp) {
      return false;
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
