package dev.berth.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;
import dev.berth.testing.FreePorts;
import dev.berth.testing.StockHazelcast;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeds checked against a real member of a plain cluster, a real member of a join-secret cluster, a port that accepts
 * and stays silent, and one nobody listens on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeedCheckTest {

  private HazelcastInstance plain;
  private HazelcastInstance gated;
  private ServerSocket silent;
  private String plainSeed;
  private String gatedSeed;
  private int gatedPort;
  private String silentSeed;

  @BeforeAll
  void start() throws Exception {
    plain = Hazelcast.newHazelcastInstance(StockHazelcast.member("seed-check-" + UUID.randomUUID(), List.of()));
    plainSeed = "127.0.0.1:" + plain.getCluster().getLocalMember().getAddress().getPort();
    gatedPort = FreePorts.next();
    gatedSeed = "127.0.0.1:" + gatedPort;
    ClusterConfig cluster = new ClusterConfig("seed-check-" + UUID.randomUUID(), "127.0.0.1", gatedPort, 0,
      List.of(gatedSeed), ClusterConfig.DEFAULT_SEED_WAIT_MS, ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null, null);
    gated = GatedHazelcast.start(ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), cluster,
        Advertisement.bound(cluster, "test"), new JsonObject(), null).hazelcast(),
      new JoinGate(cluster.name(), JoinCredential.ofSecret("0123456789abcdef0123")));
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    silentSeed = "127.0.0.1:" + silent.getLocalPort();
  }

  @AfterAll
  void stop() throws IOException {
    plain.shutdown();
    gated.shutdown();
    silent.close();
  }

  @Test
  @DisplayName("members of a plain and of a gated cluster, a port nobody listens on and a seed without a port are kept;"
    + " a port that accepts and does not answer as Hazelcast is left out with a line naming it")
  void leavesOutWhatIsNotHazelcast() {
    String nobody = "127.0.0.1:" + FreePorts.next();
    List<String> seeds = List.of(plainSeed, gatedSeed, silentSeed, nobody, "localhost");

    SeedCheck.Result result = SeedCheck.start(seeds).await();

    assertThat(result.seeds()).containsExactly(plainSeed, gatedSeed, nobody, "localhost");
    assertThat(result.leftOut()).singleElement().asString()
      .startsWith("seed " + silentSeed + " accepted a connection but did not answer within 1000 ms: not a Hazelcast"
        + " member that answers");
    assertThat(result.gates()).containsOnlyKeys(plainSeed, gatedSeed);
  }

  @Test
  @DisplayName("a gated member that greets only after the check stopped waiting for it, as on a busy host, is kept as a"
    + " gated member: its late greeting is not taken for a wrong answer")
  void lateGreetingIsAGreeting() throws Exception {
    byte[] greeting;
    try (Socket toGated = new Socket(InetAddress.getLoopbackAddress(), gatedPort)) {
      toGated.setSoTimeout(5_000);
      greeting = toGated.getInputStream().readNBytes(MemberHandshake.MAGIC.length + 2);
    }
    try (ServerSocket busyGated = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String busySeed = "127.0.0.1:" + busyGated.getLocalPort();
      Thread replay = new Thread(() -> replayLate(busyGated, greeting), "late-greeting");
      replay.start();

      SeedCheck.Result result = SeedCheck.start(List.of(busySeed)).await();

      assertThat(result.seeds()).containsExactly(busySeed);
      assertThat(result.leftOut()).isEmpty();
      assertThat(result.gates()).containsEntry(busySeed, new SeedCheck.Gate(JoinCredential.Kind.SECRET));
      replay.join(5_000);
    }
  }

  /** Accepts one connection and sends a gated member's greeting once the check has spoken first, then closes. */
  private static void replayLate(ServerSocket server, byte[] greeting) {
    try (Socket probe = server.accept()) {
      probe.getInputStream().readNBytes(3);
      probe.getOutputStream().write(greeting);
    } catch (IOException closed) {
      // The check gave up: the assertions say so.
    }
  }

  @Test
  @DisplayName("a node whose seed keeps strangers out otherwise than it would is told which seed and how")
  void gateMismatch() {
    SeedCheck.Result plainSeeds = SeedCheck.start(List.of(plainSeed)).await();
    SeedCheck.Result gatedSeeds = SeedCheck.start(List.of(gatedSeed)).await();

    assertThat(plainSeeds.gateMismatch(null)).isEmpty();
    assertThat(gatedSeeds.gateMismatch(JoinCredential.Kind.SECRET)).isEmpty();
    assertThat(plainSeeds.gateMismatch(JoinCredential.Kind.CERTIFICATE)).contains("seed " + plainSeed + " is a member"
      + " of a cluster open to any Hazelcast member (no cluster.tls and no cluster.joinSecret, or a berth build without"
      + " the member handshake), but this node has cluster.tls: give every node of a cluster the same TLS authority, or"
      + " the same join secret, or neither");
    assertThat(gatedSeeds.gateMismatch(null)).contains("seed " + gatedSeed + " is a member of a cluster whose members"
      + " prove themselves with cluster.joinSecret, but this node has neither cluster.tls nor cluster.joinSecret: give"
      + " every node of a cluster the same TLS authority, or the same join secret, or neither");
    assertThat(gatedSeeds.gateMismatch(JoinCredential.Kind.CERTIFICATE)).hasValueSatisfying(line ->
      assertThat(line).contains("prove themselves with cluster.joinSecret, but this node has cluster.tls"));
  }
}
