package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;
import dev.berth.testing.FreePorts;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real Hazelcast members on loopback, configured by {@link ClusterSetup} from berth's cluster.xml and started by
 * {@link GatedHazelcast} without a gate, as a node has them.
 */
final class LoopbackMembers implements AutoCloseable {

  private final String clusterName = "loopback-" + UUID.randomUUID();
  private final List<HazelcastInstance> started = new CopyOnWriteArrayList<>();
  private final int seed = FreePorts.next();

  /** A member in the zone (null: none) that joins through the first member's port. */
  HazelcastInstance start(String zone) {
    int port = started.isEmpty() ? seed : FreePorts.next();
    ClusterConfig cluster = new ClusterConfig(clusterName, "127.0.0.1", port, 0, List.of("127.0.0.1:" + seed),
      ClusterConfig.DEFAULT_SEED_WAIT_MS, ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null, zone);
    Config config = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), cluster,
      Advertisement.bound(cluster, "test"), new JsonObject(), null).hazelcast();
    config.setInstanceName(clusterName + "-" + port);
    HazelcastInstance member;
    try {
      member = GatedHazelcast.start(config, null);
    } catch (JoinRefusedException refused) {
      throw new IllegalStateException("no gate, yet refused: " + refused.getMessage(), refused);
    }
    started.add(member);
    return member;
  }

  @Override
  public void close() {
    started.forEach(member -> member.getLifecycleService().terminate());
  }
}
