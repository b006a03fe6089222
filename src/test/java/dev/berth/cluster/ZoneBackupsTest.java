package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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

  private final String clusterName = "zones-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(HazelcastInstance::shutdown);
  }

  @Test
  @DisplayName("both members of zone b terminated at once: every entry of a map with one backup is still there")
  void zoneLostTogetherLosesNoEntry() {
    int seed = FreePorts.next();
    HazelcastInstance first = start(seed, seed, "a");
    HazelcastInstance second = start(FreePorts.next(), seed, "b");
    HazelcastInstance third = start(FreePorts.next(), seed, "a");
    HazelcastInstance fourth = start(FreePorts.next(), seed, "b");
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

  private HazelcastInstance start(int port, int seed, String zone) {
    ClusterConfig cluster = new ClusterConfig(clusterName, "127.0.0.1", port, 0, List.of("127.0.0.1:" + seed),
      ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null, zone);
    Config config = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), cluster,
      Advertisement.bound(cluster, "test"), new JsonObject(), null).hazelcast();
    config.setInstanceName("zone-" + zone + "-" + port);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    return member;
  }
}
