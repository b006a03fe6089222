package dev.berth.cluster;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.ClusterState;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.cluster.impl.TcpIpJoiner;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real Hazelcast members in this JVM, started through {@link GatedHazelcast} as berth starts them: what berth does
 * with Hazelcast's internal API. A member with a certificate from the cluster's authority joins and carries its signed
 * statement; one from another authority is refused at its first connection; one whose statement is too old passes the
 * handshake and is refused by the master's {@code validateJoinRequest}; two halves of a split cluster merge, which
 * only works when the member that merges signs its new UUID, and each looks for the other at every member it has seen
 * and at the master that asked it to merge. Each fails when a Hazelcast upgrade changes what berth hooks into.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatedHazelcastTest {

  private static final Duration BOUND = Duration.ofSeconds(40);

  private final String clusterName = "gated-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new CopyOnWriteArrayList<>();
  @TempDir
  private static Path certificates;
  private static Path otherAuthority;

  @BeforeAll
  void makeCertificates() throws Exception {
    new ClusterCertificates(certificates).make(List.of("a", "b", "c", "d", "e"));
    otherAuthority = certificates.resolve("other");
    new ClusterCertificates(otherAuthority).make(List.of("foreign"));
  }

  @AfterEach
  void stopMembers() {
    members.forEach(member -> member.getLifecycleService().terminate());
    members.clear();
  }

  @Test
  @DisplayName("a member with a certificate from the cluster's authority joins, carrying its signed statement")
  void memberJoins() throws Exception {
    int seed = FreePorts.next();
    HazelcastInstance first = start(seed, seed, gate(certificates, "a"));
    HazelcastInstance second = start(FreePorts.next(), seed, gate(certificates, "b"));

    assertThat(first.getCluster().getMembers()).hasSize(2);
    Member joined = second.getCluster().getLocalMember();
    assertThat(joined.getAttribute(JoinGate.STATEMENT)).contains(clusterName, joined.getUuid().toString(),
      "127.0.0.1:" + joined.getAddress().getPort());
    assertThat(joined.getAttribute(JoinGate.CERTIFICATE)).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  @DisplayName("a member with another authority's certificate is refused at its first connection, with the reason")
  void otherAuthorityRefused() throws Exception {
    int seed = FreePorts.next();
    HazelcastInstance first = start(seed, seed, gate(certificates, "a"));

    assertThatThrownBy(() -> start(FreePorts.next(), seed, gate(otherAuthority, "foreign")))
      .isInstanceOf(JoinRefusedException.class)
      .hasMessage("127.0.0.1:" + seed + ", a member of cluster '" + clusterName + "', refused this node: its"
        + " certificate (CN=foreign) is not from this cluster's authority");
    assertThat(first.getCluster().getMembers()).hasSize(1);
  }

  @Test
  @DisplayName("a member whose statement is older than the bound passes the handshake, and the master refuses its"
    + " join with the reason")
  void staleStatementRefusedByTheMaster() throws Exception {
    int seed = FreePorts.next();
    HazelcastInstance first = start(seed, seed, gate(certificates, "a"));
    JoinGate behind = new JoinGate(clusterName, NodeCredentials.of(certificates, "b"),
      Clock.offset(Clock.systemUTC(), JoinGate.MAX_AGE.multipliedBy(2).negated()));

    assertThatThrownBy(() -> start(FreePorts.next(), seed, behind))
      .isInstanceOf(JoinRefusedException.class)
      .hasMessageStartingWith("cluster '" + clusterName + "' refused this node: its join statement was signed 120 s"
        + " ago, more than the 60 s allowed");
    assertThat(first.getCluster().getMembers()).hasSize(1);
  }

  @Test
  @DisplayName("two halves of a split cluster merge: the member that merges signs its new UUID, and the master checks"
    + " it like any join")
  void splitHalvesMerge() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    HazelcastInstance a = start(portA, portA, gate(certificates, "a"));
    HazelcastInstance b = start(portB, portB, gate(certificates, "b"));
    List<LifecycleEvent.LifecycleState> states = new CopyOnWriteArrayList<>();
    a.getLifecycleService().addLifecycleListener(event -> states.add(event.getState()));
    b.getLifecycleService().addLifecycleListener(event -> states.add(event.getState()));
    Set<UUID> before = Set.of(a.getCluster().getLocalMember().getUuid(), b.getCluster().getLocalMember().getUuid());

    introduce(a, portA, b, portB);

    awaitOneCluster(a, b);
    // The merged half's event comes a moment after its member list shows both.
    Poll.until("the MERGED event", BOUND, () -> states, seen -> seen.contains(LifecycleEvent.LifecycleState.MERGED));
    Set<UUID> after = a.getCluster().getMembers().stream().map(Member::getUuid).collect(Collectors.toSet());
    assertThat(after).as("the member that merged has a new UUID").isNotEqualTo(before);
    for (Member member : a.getCluster().getMembers()) {
      assertThat(member.getAttribute(JoinGate.STATEMENT)).contains(member.getUuid().toString());
    }
  }

  @Test
  @DisplayName("a member whose node is still starting looks for no split cluster's other half: the halves merge once"
    + " the node has started, not while Vert.x starts on the member")
  void noMergeWhileTheNodeStarts() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    AtomicBoolean started = new AtomicBoolean();
    HazelcastInstance a = start(portA, portA, gate(certificates, "a"), started::get);
    HazelcastInstance b = start(portB, portB, gate(certificates, "b"), started::get);
    introduce(a, portA, b, portB);

    assertThat(Poll.during(Duration.ofSeconds(12), () -> membersSeen(a, b)))
      .as("members of both halves, over two merge searches' time").containsOnly(2);

    started.set(true);
    awaitOneCluster(a, b);
  }

  @Test
  @DisplayName("a master merges its cluster into another no sooner than 10 s after the last join request it let in: a"
    + " merge freezes its cluster, and Hazelcast shuts down a member whose join request finds it frozen (seen: a gateway"
    + " alone, whose seeds were workers still joining it, merged into one of them, and both workers exited)")
  void noMergeRightAfterAJoin() throws Exception {
    int bigMaster = FreePorts.next();
    start(bigMaster, bigMaster, gate(certificates, "a"));
    start(FreePorts.next(), bigMaster, gate(certificates, "b"));
    start(FreePorts.next(), bigMaster, gate(certificates, "c"));
    int smallMaster = FreePorts.next();
    AtomicBoolean started = new AtomicBoolean();
    HazelcastInstance small = start(smallMaster, smallMaster, gate(certificates, "d"), started::get);
    List<Long> mergingNanos = new CopyOnWriteArrayList<>();
    small.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
        mergingNanos.add(System.nanoTime());
      }
    });
    long joinBegun = System.nanoTime();
    start(FreePorts.next(), smallMaster, gate(certificates, "e"));
    small.getConfig().getAdvancedNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + bigMaster);

    // The small half's next merge search, within 5 s, finds the big half, into which it is the one to merge.
    started.set(true);

    Poll.until("one cluster of five", BOUND, () -> small.getCluster().getMembers().size(), size -> size == 5);
    assertThat(Duration.ofNanos(mergingNanos.get(0) - joinBegun)).as("from the join to the merge")
      .isGreaterThanOrEqualTo(GatedHazelcast.JOINS_SETTLE);
  }

  @Test
  @DisplayName("a member that a frozen cluster refused, which Hazelcast shuts down, starts again and joins once the"
    + " cluster admits members: a merge freezes a cluster for a moment")
  void memberRefusedByAFrozenClusterJoinsLater() throws Exception {
    int port = FreePorts.next();
    HazelcastInstance master = start(port, port, gate(certificates, "a"));
    master.getCluster().changeClusterState(ClusterState.FROZEN);
    AtomicInteger refusals = new AtomicInteger();
    master.getLoggingService().addLogListener(Level.WARNING, event -> {
      String message = event.getLogRecord().getMessage();
      if (message != null && message.contains(GatedHazelcast.FROZEN)) {
        refusals.incrementAndGet();
      }
    });
    ExecutorService starting = Executors.newSingleThreadExecutor();
    try {
      Future<HazelcastInstance> joining = starting.submit(() -> start(FreePorts.next(), port, gate(certificates, "b")));
      Poll.until("the frozen cluster's refusal", BOUND, refusals::get, count -> count >= 1);

      master.getCluster().changeClusterState(ClusterState.ACTIVE);

      assertThat(joining.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).getCluster().getMembers()).hasSize(2);
    } finally {
      starting.shutdownNow();
    }
  }

  /** Each half learns of the other, as after a network partition heals. */
  private static void introduce(HazelcastInstance a, int portA, HazelcastInstance b, int portB) {
    a.getConfig().getAdvancedNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + portB);
    b.getConfig().getAdvancedNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + portA);
  }

  private static void awaitOneCluster(HazelcastInstance a, HazelcastInstance b) {
    Poll.until("one cluster of both", BOUND, () -> membersSeen(a, b), seen -> seen == 4);
  }

  /** The members each lists, added up: 2 while they are halves, 4 once one cluster. */
  private static int membersSeen(HazelcastInstance a, HazelcastInstance b) {
    return a.getCluster().getMembers().size() + b.getCluster().getMembers().size();
  }

  @Test
  @DisplayName("a gated member looks for a split cluster's other half at every member it has seen, not only at its"
    + " seeds: a half whose master is no seed is found")
  void splitSearchReachesMembersSeen() throws Exception {
    int seed = FreePorts.next();
    start(seed, seed, gate(certificates, "a"));
    HazelcastInstance b = start(FreePorts.next(), seed, gate(certificates, "b"));
    HazelcastInstance c = start(FreePorts.next(), seed, gate(certificates, "c"));
    Address gone = b.getCluster().getLocalMember().getAddress();

    b.getLifecycleService().terminate();
    Poll.until("b gone from c's cluster", BOUND, () -> c.getCluster().getMembers().size(), size -> size == 2);

    TcpIpJoiner joiner = (TcpIpJoiner) ((HazelcastInstanceProxy) c).getOriginal().node.getJoiner();
    assertThat(joiner.getFilteredPossibleAddresses()).as("where c looks for another half").contains(gone);
  }

  @Test
  @DisplayName("a split formed at start-up merges when the bigger half's master is no seed of the smaller half: the"
    + " smaller half's master, whose seed is not master, finds it through the connection it opened to ask for the merge")
  void splitHalvesMergeThroughTheAskingMaster() throws Exception {
    int seedOfSmallHalf = FreePorts.next();
    int portOfSmallHalf = FreePorts.next();
    // Each starts before its seed listens, so each is a cluster of its own, as tasks started at once can be.
    int bigMaster = FreePorts.next();
    start(bigMaster, portOfSmallHalf, gate(certificates, "b"));
    HazelcastInstance small = start(portOfSmallHalf, seedOfSmallHalf, gate(certificates, "a"));
    start(FreePorts.next(), bigMaster, gate(certificates, "c"));
    start(seedOfSmallHalf, bigMaster, gate(certificates, "d"));
    assertThat(small.getCluster().getMembers()).as("the small half").hasSize(1);

    // The big half's master asks the small one to merge, whose search reaches only the big half's seed, no master.
    Poll.until("one cluster of four", BOUND, () -> small.getCluster().getMembers().size(), size -> size == 4);
  }

  @Test
  @DisplayName("a member alone, whose one seed is in a cluster whose master is no seed, joins that cluster through the"
    + " seed: a member that is not master ignores a merge search, and the master knows nothing of the lone one")
  void loneMemberJoinsThroughSeedThatIsNotMaster() throws Exception {
    int seed = FreePorts.next();
    int master = FreePorts.next();
    // The lone member and the future master each start before their seed listens: each is a cluster of its own.
    HazelcastInstance lone = start(FreePorts.next(), seed, gate(certificates, "a"));
    start(master, seed, gate(certificates, "b"));
    start(seed, master, gate(certificates, "c"));
    assertThat(lone.getCluster().getMembers()).as("the lone member").hasSize(1);

    Poll.until("one cluster of three", BOUND, () -> lone.getCluster().getMembers().size(), size -> size == 3);
  }

  @Test
  @DisplayName("a member whose join ended with its master cleared, as Hazelcast's joiner does when the master's answer"
    + " comes as an attempt ends, merges into that cluster again as a new member, and takes its member list's changes")
  void memberWithoutMasterJoinsAgain() throws Exception {
    int seed = FreePorts.next();
    HazelcastInstance master = start(seed, seed, gate(certificates, "a"));
    HazelcastInstance member = start(FreePorts.next(), seed, gate(certificates, "b"));
    Node node = ((HazelcastInstanceProxy) member).getOriginal().node;
    UUID before = member.getCluster().getLocalMember().getUuid();

    // What TcpIpJoiner.joinViaPossibleMembers does, at the end of an attempt, to a member its master has just let in.
    node.getClusterService().setMasterAddressToJoin(null);
    assertThat(node.getClusterService().getMasterAddress()).as("Hazelcast clears the master of a joined member")
      .isNull();
    ((GatedHazelcast.BerthJoiner) node.getJoiner()).rejoinWhileMasterless();

    assertThat(node.getClusterService().getMasterAddress())
      .isEqualTo(master.getCluster().getLocalMember().getAddress());
    UUID after = member.getCluster().getLocalMember().getUuid();
    assertThat(after).isNotEqualTo(before);
    start(FreePorts.next(), seed, gate(certificates, "c"));
    Poll.until("the third member in the member's list", BOUND, () -> member.getCluster().getMembers().size(),
      size -> size == 3);
    assertThat(master.getCluster().getMembers()).extracting(Member::getUuid).contains(after).doesNotContain(before)
      .hasSize(3);
  }

  @Test
  @DisplayName("a member that reaches no seed looks for one for up to cluster.seedWaitMs, and joins the seed's cluster"
    + " once the seed listens, instead of founding a cluster of its own")
  void memberWaitsForItsSeed() throws Exception {
    int seed = FreePorts.next();
    int waiting = FreePorts.next();
    JoinGate waitingGate = gate(certificates, "b");
    ExecutorService starting = Executors.newSingleThreadExecutor();
    try {
      long begun = System.nanoTime();
      Future<Integer> membersWhenJoined = starting.submit(
        () -> start(waiting, seed, waitingGate, () -> true, Duration.ofSeconds(20)).getCluster().getMembers().size());
      // Without the wait, Hazelcast founds a cluster about 2 s after its seed did not answer (cluster.xml's timings).
      Poll.until("the waiting member listening 6 s in, or its start over", BOUND, () -> membersWhenJoined.isDone()
        || listening(waiting) && System.nanoTime() - begun >= TimeUnit.SECONDS.toNanos(6), yes -> yes);
      assertThat(membersWhenJoined).as("its start, while no seed listens").isNotDone();

      HazelcastInstance founder = start(seed, seed, gate(certificates, "a"));

      assertThat(membersWhenJoined.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("members when its join returned")
        .isEqualTo(2);
      assertThat(founder.getCluster().getMembers()).hasSize(2);
    } finally {
      starting.shutdownNow();
    }
  }

  @Test
  @DisplayName("a member whose seed stays out of reach founds a cluster of its own once cluster.seedWaitMs is over")
  void memberFoundsOnceTheWaitIsOver() throws Exception {
    Duration seedWait = Duration.ofSeconds(5);
    long begun = System.nanoTime();

    HazelcastInstance alone = start(FreePorts.next(), FreePorts.next(), gate(certificates, "a"), () -> true, seedWait);

    assertThat(Duration.ofNanos(System.nanoTime() - begun)).as("its start").isGreaterThanOrEqualTo(seedWait);
    assertThat(alone.getCluster().getMembers()).hasSize(1);
  }

  @Test
  @DisplayName("a member whose seeds all refuse the connection founds its cluster at once, without Hazelcast's fixed"
    + " second of waiting for their answers")
  void memberFoundsAtOnceWhenEverySeedRefuses() throws Exception {
    ListAppender<ILoggingEvent> joinerLog = new ListAppender<>();
    joinerLog.start();
    Logger joinerLogger = (Logger) LoggerFactory.getLogger(GatedHazelcast.BerthJoiner.class);
    joinerLogger.addAppender(joinerLog);
    try {
      HazelcastInstance alone = start(FreePorts.next(), FreePorts.next(), gate(certificates, "a"));

      assertThat(alone.getCluster().getMembers()).hasSize(1);
      assertThat(joinerLog.list).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(line -> line.contains(GatedHazelcast.BerthJoiner.ALL_SEEDS_REFUSED));
    } finally {
      joinerLogger.detachAppender(joinerLog);
    }
  }

  @Test
  @DisplayName("a member whose seed turns out to be its own port, reached through a forwarder as a Docker host's"
    + " published port is, starts and founds its cluster instead of failing its join")
  void memberWhoseSeedIsItselfStarts() throws Exception {
    int port = FreePorts.next();
    Vertx vertx = Vertx.vertx();
    try {
      NetClient client = vertx.createNetClient();
      int published = vertx.createNetServer().connectHandler(inbound -> {
        inbound.pause();
        client.connect(port, "127.0.0.1").onComplete(outbound -> {
          if (outbound.failed()) {
            inbound.close();
            return;
          }
          inbound.pipeTo(outbound.result());
          outbound.result().pipeTo(inbound);
          inbound.resume();
        });
      }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();

      HazelcastInstance alone = start(port, published, gate(certificates, "a"));

      assertThat(alone.getLifecycleService().isRunning()).isTrue();
      assertThat(alone.getCluster().getMembers()).hasSize(1);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Whether something accepts connections on the port: a member binds it before it joins. */
  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  @Test
  @DisplayName("a member of a plain cluster, open to any member, still speaks no client protocol: a Hazelcast client"
    + " with the cluster's name cannot connect")
  void plainMemberRefusesClients() throws Exception {
    int port = FreePorts.next();
    HazelcastInstance plain = start(port, port, null);
    ClientConfig client = new ClientConfig().setClusterName(clusterName);
    client.getNetworkConfig().addAddress("127.0.0.1:" + port);
    client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);

    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client)).isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("Unable to connect to any cluster");
    assertThat(plain.getClientService().getConnectedClients()).isEmpty();
  }

  private HazelcastInstance start(int port, int seed, JoinGate gate) throws JoinRefusedException {
    return start(port, seed, gate, () -> true);
  }

  private HazelcastInstance start(int port, int seed, JoinGate gate, BooleanSupplier started)
    throws JoinRefusedException {
    return start(port, seed, gate, started, Duration.ofMillis(ClusterConfig.DEFAULT_SEED_WAIT_MS));
  }

  private HazelcastInstance start(int port, int seed, JoinGate gate, BooleanSupplier started, Duration seedWait)
    throws JoinRefusedException {
    ClusterConfig cluster = new ClusterConfig(clusterName, "127.0.0.1", port, 0, List.of("127.0.0.1:" + seed),
      (int) seedWait.toMillis(), ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null, null);
    Config config = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), cluster,
      Advertisement.bound(cluster, "test"), new JsonObject(), null).hazelcast();
    config.setInstanceName("gated-" + port);
    HazelcastInstance member = GatedHazelcast.start(config, gate, started);
    members.add(member);
    return member;
  }

  private JoinGate gate(Path directory, String node) throws TlsException {
    return new JoinGate(clusterName, NodeCredentials.of(directory, node));
  }

}
