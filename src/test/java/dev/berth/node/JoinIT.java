package dev.berth.node;

import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Joins that cannot go as planned, from the built jar, each ending fast with one line that says why. A seed list that
 * names an event-bus port; and a join that Hazelcast lets begin but cannot finish: a seed that everyone reaches, a
 * member that advertises an address nobody can reach (nothing listens there), and a node that joins through the seed
 * and does the same, so that it and that member cannot connect either way. And a node whose Hazelcast configuration
 * differs from the cluster's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class JoinIT {

  private static final int JOIN_TIMEOUT_MS = 5_000;
  private static final Duration START_BOUND = Duration.ofSeconds(60);

  private final LocalCluster cluster = new LocalCluster(ItLogs.directory(JoinIT.class), List.of("seed"));
  private final int seedEventBusPort = FreePorts.next();
  private final int unreachableMemberPort = FreePorts.next();
  private final int unreachableJoinerPort = FreePorts.next();
  private Path worker;

  @BeforeAll
  void startSeedAndUnreachableMember() throws IOException {
    worker = cluster.logs().resolve("worker.json");
    Files.writeString(worker, """
      {"roles": ["worker"], "workers": [{"address": "first", "response": "First"}],
       "cluster": {"host": "127.0.0.1", "joinTimeoutMs": %d}}""".formatted(JOIN_TIMEOUT_MS));
    cluster.env("seed").put("BERTH_EVENTBUS_PORT", String.valueOf(seedEventBusPort));
    cluster.start("seed", "conf/gateway.json").awaitHealthy(START_BOUND);
    cluster.env("member").putAll(unreachable("127.0.0.9", unreachableMemberPort));
    cluster.start("member", worker.toString()).awaitHealthy(START_BOUND);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @DisplayName("a node that cannot reach a member it was told of, nor be reached, exits 11 within its join bound,"
    + " naming that member and what it advertises itself")
  void joinThatCannotCompleteEndsWithItsReason() {
    cluster.env("joiner").putAll(unreachable("127.0.0.10", unreachableJoinerPort));
    long started = System.nanoTime();
    BerthProcess joiner = cluster.start("joiner", worker.toString());

    int exit = joiner.awaitExit(Duration.ofMillis(JOIN_TIMEOUT_MS).plus(START_BOUND));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(exit).as(joiner.output()).isEqualTo(Main.EXIT_NO_CLUSTER);
    assertThat(joiner.output().lines().filter(line -> line.startsWith("berth: "))).containsExactly(
      "berth: the node did not join cluster '" + cluster.name() + "' within " + JOIN_TIMEOUT_MS + " ms: it was let in,"
        + " but cannot reach member(s) 127.0.0.9:" + unreachableMemberPort + " from here (do they advertise addresses"
        + " private to their host?); it advertises 127.0.0.10:" + unreachableJoinerPort + " (static: as configured)");
    assertThat(took).as("JVM start, join bound and exit").isLessThan(Duration.ofMillis(JOIN_TIMEOUT_MS).plus(START_BOUND));
  }

  @Test
  @DisplayName("a seed that names another node's event-bus port is left out with one line naming it; the node joins"
    + " through the other seed")
  void eventBusPortAsSeed() {
    String eventBusSeed = "127.0.0.1:" + seedEventBusPort;
    cluster.env("mistaken").put("BERTH_CLUSTER_MEMBERS", eventBusSeed + "," + cluster.env("seed").get("BERTH_CLUSTER_MEMBERS"));
    BerthProcess mistaken = cluster.start("mistaken", "conf/worker-first.json").awaitHealthy(START_BOUND);

    assertThat(mistaken.output().lines().filter(line -> line.contains("seed " + eventBusSeed))).singleElement()
      .asString().contains("WARN", "seed " + eventBusSeed + " accepted a connection but did not answer within 1000 ms:"
        + " not a Hazelcast member that answers");
    assertThat(Http.get(cluster.gatewayUrl("/a")).servedBy()).isEqualTo("mistaken");
    assertThat(mistaken.stop(START_BOUND)).isZero();
  }

  @Test
  @DisplayName("a node whose only seed is an event-bus port refuses to start: exit 78 and one line")
  void onlySeedIsAnEventBusPort() {
    String eventBusSeed = "127.0.0.1:" + seedEventBusPort;
    cluster.env("lost").put("BERTH_CLUSTER_MEMBERS", eventBusSeed);
    BerthProcess lost = cluster.start("lost", "conf/worker-first.json");

    assertThat(lost.awaitExit(START_BOUND)).isEqualTo(Main.EXIT_CONFIG);
    assertThat(lost.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .startsWith("berth: no seed in cluster.members (BERTH_CLUSTER_MEMBERS) is a Hazelcast member port: seed "
        + eventBusSeed + " accepted a connection but did not answer");
  }

  @Test
  @DisplayName("a node whose Hazelcast configuration differs from the cluster's (the partition count of an earlier"
    + " build) exits 11: Hazelcast says what differs, berth's line where to look")
  void differentPartitionCountIsRefused() throws IOException {
    Path earlierBuild = cluster.logs().resolve("cluster-271-partitions.xml");
    try (InputStream shipped = JoinIT.class.getResourceAsStream("/cluster.xml")) {
      Files.writeString(earlierBuild, new String(shipped.readAllBytes(), StandardCharsets.UTF_8).lines()
        .filter(line -> !line.contains("hazelcast.partition.count")).collect(Collectors.joining("\n")));
    }
    cluster.env("earlier").put("JAVA_TOOL_OPTIONS", "-Dvertx.hazelcast.config=" + earlierBuild.toAbsolutePath());
    BerthProcess earlier = cluster.start("earlier", "conf/worker-first.json");

    assertThat(earlier.awaitExit(START_BOUND)).as(earlier.output()).isEqualTo(Main.EXIT_NO_CLUSTER);
    assertThat(earlier.output()).contains("Configuration mismatch was detected: Incompatible partition count!"
      + " expected: 31, found: null");
    assertThat(earlier.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .startsWith("berth: could not start the node in cluster '" + cluster.name() + "'")
      .endsWith("and that this node's cluster.xml matches theirs (Hazelcast logs a 'Configuration mismatch' above"
        + " when not)");
  }

  /** Advertises a loopback address where nothing listens: every connection to it is refused. */
  private static Map<String, String> unreachable(String host, int port) {
    return Map.of("BERTH_ADVERTISE", "static", "BERTH_HOST_IP", host, "BERTH_PUBLIC_HAZELCAST_PORT",
      String.valueOf(port), "BERTH_EVENTBUS_PORT", String.valueOf(FreePorts.next()), "BERTH_PUBLIC_EVENTBUS_PORT",
      String.valueOf(FreePorts.next()));
  }
}
