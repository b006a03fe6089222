package dev.berth.node;

import dev.berth.testing.BerthProcess;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three JVMs started from the built jar with the shipped configs, as a newcomer runs them in three terminals: a
 * gateway and one worker per address, clustered over Hazelcast on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ClusterIT {

  /** How long after a worker JVM is killed the gateway must answer 503 for its address. */
  static final Duration DEAD_WORKER_BOUND = Duration.ofSeconds(10);
  private static final Duration START_BOUND = Duration.ofSeconds(60);
  private static final Duration STOP_BOUND = Duration.ofSeconds(20);
  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");

  private final LocalCluster cluster = new LocalCluster(ItLogs.directory(ClusterIT.class), NODES);

  @BeforeAll
  void startCluster() {
    NODES.forEach(node -> cluster.start(node, "conf/" + node + ".json"));
    cluster.awaitHealthy(START_BOUND);
    cluster.awaitRoutedToWorkers(START_BOUND);
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("/a answers First from the worker-first JVM, /z answers Second from the worker-second JVM")
  void routesAcrossJvms() {
    Http.Response first = Http.get(cluster.gatewayUrl("/a"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("First");
    assertThat(first.servedBy()).isEqualTo("worker-first");
    Http.Response second = Http.get(cluster.gatewayUrl("/z"));
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("Second");
    assertThat(second.servedBy()).isEqualTo("worker-second");
  }

  @Test
  @Order(2)
  @DisplayName("GET /cluster lists every member with its roles, addresses and advertised addresses")
  void clusterView() {
    JsonObject view = Http.get(cluster.managementUrl("gateway", "/cluster")).json();
    assertThat(view.getString("cluster")).isEqualTo(cluster.name());
    assertThat(view.getInteger("size")).isEqualTo(3);
    Map<String, JsonObject> byName = Members.of(cluster.managementUrl("gateway", ""));
    assertThat(byName).containsOnlyKeys(NODES);
    assertThat(byName.get("gateway").getJsonArray("roles")).isEqualTo(new JsonArray().add("gateway"));
    assertThat(byName.get("gateway").getBoolean("self")).isTrue();
    assertThat(byName.get("worker-first").getJsonArray("addresses")).isEqualTo(new JsonArray().add("first"));
    assertThat(byName.get("worker-second").getJsonArray("addresses")).isEqualTo(new JsonArray().add("second"));
    byName.forEach((name, member) -> {
      assertThat(member.getString("hazelcast")).isEqualTo("127.0.0.1:" + cluster.env(name).get("BERTH_HAZELCAST_PORT"));
      assertThat(member.getString("eventBus")).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(member.getString("advertise")).isEqualTo("none");
    });
  }

  @Test
  @Order(3)
  @DisplayName("each node logs one start-up line with what it bound and advertised, and no modular-environment warning")
  void startUpLine() {
    cluster.nodes().values().forEach(node -> {
      List<String> readyLines = node.output().lines().filter(line -> line.contains(" ready in ")).toList();
      assertThat(readyLines).as(node.name()).hasSize(1);
      assertThat(readyLines.get(0)).contains("event bus bound 127.0.0.1:", "hazelcast bound 127.0.0.1:", ", advertised ");
      assertThat(node.output()).as(node.name()).doesNotContainIgnoringCase("modular environment");
    });
  }

  @Test
  @Order(4)
  @DisplayName("a second worker-first JVM joins and shares the load, and leaves cleanly on SIGTERM")
  void secondWorkerSharesLoad() {
    BerthProcess extra = cluster.start("worker-first-2", "conf/worker-first.json").awaitHealthy(START_BOUND);
    Poll.until("both first workers answering /a", Duration.ofSeconds(20), this::servedByOverTenRequests,
      servers -> servers.equals(Set.of("worker-first", "worker-first-2")));
    assertThat(extra.stop(STOP_BOUND)).as("exit code on SIGTERM").isZero();
    assertThat(servedByOverTenRequests()).containsExactly("worker-first");
  }

  @Test
  @Order(5)
  @DisplayName("a killed first worker makes /a answer 503 within the bound, and a restarted one answers First again")
  void killedWorkerThenRestarted() {
    cluster.node("worker-first").kill();
    Poll.Result<Http.Response> unavailable = Poll.until("/a answering 503", DEAD_WORKER_BOUND,
      () -> Http.get(cluster.gatewayUrl("/a")), response -> response.status() == 503);
    assertThat(unavailable.value().json().getString("error")).isEqualTo("no worker for address 'first'");
    assertThat(Http.get(cluster.gatewayUrl("/z")).body()).as("the other half keeps working").isEqualTo("Second");
    System.out.printf("ClusterIT: /a answered 503 %d ms after worker-first was killed%n", unavailable.elapsed().toMillis());

    cluster.start("worker-first", "conf/worker-first.json");
    Poll.Result<Http.Response> recovered = Poll.until("/a answering First", START_BOUND,
      () -> Http.get(cluster.gatewayUrl("/a")), response -> "First".equals(response.body()));
    assertThat(recovered.value().servedBy()).isEqualTo("worker-first");
    System.out.printf("ClusterIT: /a answered First %d ms after worker-first was restarted%n", recovered.elapsed().toMillis());
  }

  @Test
  @Order(6)
  @DisplayName("every node stops on SIGTERM with exit code 0")
  void sigtermExitsZero() {
    for (String name : NODES) {
      assertThat(cluster.node(name).stop(STOP_BOUND)).as(name + " exit code").isZero();
      assertThat(cluster.node(name).output()).contains("left the cluster and stopped");
    }
  }

  private Set<String> servedByOverTenRequests() {
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      Http.Response response = Http.get(cluster.gatewayUrl("/a"));
      if (response.status() == 200) {
        servers.add(response.servedBy());
      }
    }
    return servers;
  }
}
