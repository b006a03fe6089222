package dev.berth;

import dev.berth.testing.Docker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One of two worker-first replicas, each its own JVM from the built jar, stopped, killed and frozen under steady load
 * from wrk, through bench/failover.sh in its quick mode. Without failover each fault cost 20 to 40 requests, every one
 * a 504 after the request timeout (3 s) of the shipped gateway config. What is checked is what berth decides: whether a
 * request failed, and why the gateway moved those it moved; how long clients waited is the bench's to measure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class FailoverIT {

  private static final Path OUT = Path.of("target", "failover-quick");
  private Map<String, JsonObject> byFault;

  @BeforeAll
  void runEveryFault() throws IOException {
    Docker.Outcome run = Docker.execute(List.of("bash", "bench/failover.sh", "--quick", "--out", OUT.toString()),
      Map.of("BENCH_PORT_BASE", "22000"), Duration.ofMinutes(4));
    System.out.println(run.output());
    assertThat(run.exitCode()).as("exit code, output:\n" + run.output()).isZero();
    byFault = new JsonObject(Files.readString(OUT.resolve("failover-latest.json"))).getJsonArray("faults").stream()
      .map(JsonObject.class::cast).collect(Collectors.toMap(fault -> fault.getString("fault"), fault -> fault));
    assertThat(byFault).containsOnlyKeys("TERM", "KILL", "STOP");
    byFault.values().forEach(fault -> assertThat(fault.getInteger("requests")).as(fault.getString("fault") + " load")
      .isGreaterThan(1_000));
  }

  @Test
  @DisplayName("SIGTERM to a replica under load: no request fails, and the gateway moves none for a lost or unconsumed"
    + " attempt: the replica drained first")
  void gracefulStop() {
    JsonObject term = byFault.get("TERM");
    assertThat(term.getInteger("failed")).as("failed requests: " + term).isZero();
    assertThat(term.getValue("out_of_cluster_ms")).as("the replica left: " + term).isNotNull();
    assertThat(term.getJsonObject("retries").fieldNames()).as("retries by reason: " + term)
      .doesNotContain("worker-lost", "not-consumed");
  }

  @Test
  @DisplayName("SIGKILL to a replica under load: no GET fails; the gateway moved those the replica held")
  void crash() {
    JsonObject kill = byFault.get("KILL");
    assertThat(kill.getInteger("failed")).as("failed requests: " + kill).isZero();
    assertThat(kill.getValue("out_of_cluster_ms")).as("the replica left: " + kill).isNotNull();
    assertThat(kill.getJsonObject("retries").fieldNames()).as("retries by reason: " + kill).isNotEmpty()
      .isSubsetOf("worker-lost", "overdue");
  }

  @Test
  @DisplayName("SIGSTOP to a replica under load: no GET fails; the gateway moved those the frozen replica held, as"
    + " overdue")
  void freeze() {
    JsonObject stop = byFault.get("STOP");
    assertThat(stop.getInteger("failed")).as("failed requests: " + stop).isZero();
    assertThat(stop.getJsonObject("retries").getInteger("overdue", 0)).as("retries by reason: " + stop).isPositive();
  }
}
