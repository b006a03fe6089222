package dev.berth.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import dev.berth.cluster.ClusterSetup;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Hazelcast settings any Vert.x or Hazelcast user could write to reach a berth cluster: its name, its seeds, its
 * partition count (public, in berth's cluster.xml; Hazelcast refuses a member whose count differs) and its heartbeat
 * interval (berth's members drop a member 5 s after its last heartbeat, and Hazelcast's default interval is those 5 s:
 * a stranger let into a plain cluster was dropped under load), on loopback. What a stranger who knows no more than
 * that brings.
 */
public final class StockHazelcast {

  private StockHazelcast() {
  }

  /**
   * A stock member's config: bound to {@code host}, a loopback address, and a free port, connecting from that address,
   * joining through {@code seeds} over TCP-IP.
   */
  public static Config member(String clusterName, String host, List<String> seeds) {
    Config berth = ClusterSetup.loadHazelcastConfig();
    String partitionCount = ClusterProperty.PARTITION_COUNT.getName();
    String heartbeat = ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName();
    Config config = new Config().setClusterName(clusterName)
      .setProperty(partitionCount, berth.getProperty(partitionCount))
      .setProperty(heartbeat, berth.getProperty(heartbeat))
      .setProperty("hazelcast.local.localAddress", host)
      .setProperty("hazelcast.socket.bind.any", "false")
      .setProperty("hazelcast.socket.client.bind.any", "false")
      .setProperty("hazelcast.phone.home.enabled", "false")
      // A stranger's own choice; an impatient one keeps the tests short: it gives up on a join after 10 s.
      .setProperty("hazelcast.max.join.seconds", "10");
    config.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1).setMembers(seeds);
    return config;
  }

  /**
   * Starts a stock member on a thread of its own; empty when it gave up, as one does when no seed lets it in within its
   * join bound and it does not start a cluster of its own. Not on the caller's thread: a refused member started on a
   * thread of JUnit's parallel runner (a ForkJoin thread) took two minutes to give up instead of ten seconds.
   */
  public static CompletableFuture<Optional<HazelcastInstance>> start(Config config) {
    CompletableFuture<Optional<HazelcastInstance>> started = new CompletableFuture<>();
    new Thread(() -> {
      try {
        started.complete(Optional.of(Hazelcast.newHazelcastInstance(config)));
      } catch (IllegalStateException gaveUp) {
        started.complete(Optional.empty());
      } catch (RuntimeException failed) {
        started.completeExceptionally(failed);
      }
    }, "stock member").start();
    return started;
  }

  public static Config member(String clusterName, List<String> seeds) {
    return member(clusterName, "127.0.0.1", seeds);
  }
}
