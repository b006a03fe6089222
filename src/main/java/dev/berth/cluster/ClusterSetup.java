package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.berth.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.util.List;

/**
 * Turns a node's cluster config and advertisement into the Hazelcast config and the event-bus options. Starts from
 * {@code cluster.xml} (or the file named by {@code -Dvertx.hazelcast.config}) and sets only what berth owns: ports,
 * interface, seed members, cluster name and public addresses.
 */
public final class ClusterSetup {

  private ClusterSetup() {
  }

  /** The system property vertx-hazelcast reads to load a cluster.xml other than the bundled one. */
  static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  private static final String SCHEMA_VALIDATION_PROPERTY = "hazelcast.config.schema.validation.enabled";

  public static Config hazelcastConfig(ClusterConfig cluster, Advertisement advertisement) {
    if (System.getProperty(CONFIG_PROPERTY) == null && System.getProperty(SCHEMA_VALIDATION_PROPERTY) == null) {
      // The bundled cluster.xml is validated by its test; checking it again costs ~0.4 s of start-up.
      System.setProperty(SCHEMA_VALIDATION_PROPERTY, "false");
    }
    Config config = ConfigUtil.loadConfig();
    if (cluster.name() != null) {
      config.setClusterName(cluster.name());
    }
    NetworkConfig network = config.getNetworkConfig();
    // A fixed port: the one Docker publishes, and a clear failure instead of a silent move to the next port.
    network.setPort(cluster.hazelcastPort()).setPortAutoIncrement(false);
    if (!cluster.bindsAnyInterface()) {
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    if (advertisement.isPublic()) {
      network.setPublicAddress(advertisement.hazelcastAddress());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.members().isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  public static EventBusOptions eventBusOptions(ClusterConfig cluster, Advertisement advertisement, JsonObject metadata) {
    EventBusOptions options = new EventBusOptions().setPort(cluster.eventBusPort()).setClusterNodeMetadata(metadata);
    if (advertisement.isPublic()) {
      options.setHost(cluster.host())
        .setClusterPublicHost(advertisement.host())
        .setClusterPublicPort(advertisement.eventBusPort());
    } else if (!cluster.bindsAnyInterface()) {
      options.setHost(cluster.host());
    }
    // Bound to every interface with nothing to advertise: leave the host unset so Vert.x uses Hazelcast's address.
    return options;
  }
}
