package dev.berth.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real Hazelcast members on loopback, configured as berth configures them: with {@code cluster.zone}, a zone that
 * vanishes at once (a drained or lost Docker host) takes no entry of the registry's maps with it.
 */
@Timeout(120)
class ZoneBackupsTest {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final int ENTRIES = 500;

  private final LoopbackMembers members = new LoopbackMembers();

  @AfterEach
  void stop() {
    members.close();
  }

  @Test
  @DisplayName("both members of zone b terminated at once: every entry of a map with one backup is still there")
  void zoneLostTogetherLosesNoEntry() {
    HazelcastInstance first = members.start("a");
    HazelcastInstance second = members.start("b");
    HazelcastInstance third = members.start("a");
    HazelcastInstance fourth = members.start("b");
    Poll.until("four members", BOUND, () -> first.getCluster().getMembers().size(), size -> size == 4);
    IMap<Integer, String> registry = first.getMap("__vertx.nodeInfo");
    IntStream.range(0, ENTRIES).forEach(key -> registry.put(key, "node-" + key));
    Poll.until("the partitions safe", BOUND, () -> first.getPartitionService().isClusterSafe(), safe -> safe);

    second.getLifecycleService().terminate();
    fourth.getLifecycleService().terminate();
    Poll.until("zone a alone", BOUND, () -> third.getCluster().getMembers().size(), size -> size == 2);

    IMap<Integer, String> left = third.getMap("__vertx.nodeInfo");
    assertThat(left.size()).isEqualTo(ENTRIES);
    assertThat(IntStream.range(0, ENTRIES).filter(key -> left.get(key) == null)).as("keys lost").isEmpty();
  }
}
