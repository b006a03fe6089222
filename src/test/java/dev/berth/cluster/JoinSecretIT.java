package dev.berth.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import dev.berth.testing.StockHazelcast;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain cluster that admits only the nodes that know its join secret: three JVMs from the built jar, one of them
 * reading the secret from a file as from a Docker secret. A node with another secret and one with none refuse to start
 * with one line each; a stock Hazelcast member never becomes a member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class JoinSecretIT {

  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String SECRET = "d2b8a1f0c3e54b6a9f7e2d1c0b9a8f7e";

  private final Path logs = ItLogs.directory(JoinSecretIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, NODES);
  private HazelcastInstance stranger;

  @BeforeAll
  void startCluster() throws Exception {
    Path secretFile = Files.writeString(logs.resolve("join-secret"), SECRET + "\n");
    cluster.env("gateway").put("BERTH_JOIN_SECRET", SECRET);
    cluster.env("worker-first").put("BERTH_JOIN_SECRET", SECRET);
    cluster.env("worker-second").put("BERTH_JOIN_SECRET_FILE", secretFile.toString());
    NODES.forEach(node -> cluster.start(node, "conf/" + node + ".json"));
    cluster.awaitHealthy(BOUND);
  }

  @AfterAll
  void stop() {
    if (stranger != null) {
      stranger.getLifecycleService().terminate();
    }
    cluster.close();
  }

  @Test
  @DisplayName("the nodes with the secret, given as is or in a file, form the cluster and serve /a and /z")
  void nodesWithTheSecretServe() {
    assertThat(Poll.until("/a", BOUND, () -> Http.get(cluster.gatewayUrl("/a")), r -> r.status() == 200).value()
      .servedBy()).isEqualTo("worker-first");
    assertThat(Poll.until("/z", BOUND, () -> Http.get(cluster.gatewayUrl("/z")), r -> r.status() == 200).value()
      .servedBy()).isEqualTo("worker-second");
    assertThat(cluster.node("worker-second").output())
      .contains("event bus plain, only members with the join secret join");
  }

  @Test
  @DisplayName("a node with another secret is refused at its first connection: exit 78 and one line")
  void otherSecretRefused() {
    cluster.env("other-secret").put("BERTH_JOIN_SECRET", SECRET.toUpperCase());
    BerthProcess other = cluster.start("other-secret", "conf/worker-first.json");
    assertThat(other.awaitExit(BOUND)).as(other.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(other.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: 127\\.0\\.0\\.1:\\d+, a member of cluster '" + cluster.name() + "', refused this node: it is"
        + " not signed with this cluster's join secret");
  }

  @Test
  @DisplayName("a node without the secret is told by its seeds: exit 78 and one line")
  void noSecretRefused() {
    BerthProcess plain = cluster.start("no-secret", "conf/worker-first.json");
    assertThat(plain.awaitExit(BOUND)).as(plain.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(plain.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: seed 127\\.0\\.0\\.1:\\d+ is a member of a cluster whose members prove themselves with"
        + " cluster\\.joinSecret, but this node has neither cluster\\.tls nor cluster\\.joinSecret: .*");
  }

  @Test
  @DisplayName("a stock Hazelcast member with the cluster's name and partition count never becomes a member")
  void stockMemberKeptOut() throws Exception {
    stranger = StockHazelcast.start(StockHazelcast.member(cluster.name(), "127.0.0.5",
        List.of(cluster.env("gateway").get("BERTH_CLUSTER_MEMBERS").split(","))))
      .get(BOUND.toSeconds(), TimeUnit.SECONDS).orElse(null);

    assertThat(stranger == null || stranger.getCluster().getMembers().size() == 1).as("the stranger alone or gone")
      .isTrue();
    assertThat(Members.all(cluster.managementUrl("gateway", ""))).hasSize(NODES.size());
    assertThat(cluster.node("gateway").output()).contains("refused a Hazelcast connection from 127.0.0.5: it speaks"
      + " Hazelcast's member protocol without berth's member handshake (a plain Hazelcast or Vert.x member, or a berth"
      + " node without this cluster's cluster.joinSecret)");
  }
}
