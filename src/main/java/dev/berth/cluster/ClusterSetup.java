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
 * Turns a node's cluster config into the Hazelcast config and the event-bus options, then completes both with the
 * advertisement once it is known. Starts from {@code cluster.xml} (or the file named by
 * {@code -Dvertx.hazelcast.config}) and sets only what berth owns: ports, interface, seed members, cluster name and
 * public addresses.
 */
public final class ClusterSetup {

  private ClusterSetup() {
  }

  /** The system property vertx-hazelcast reads to load a cluster.xml other than the bundled one. */
  static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  private static final String SCHEMA_VALIDATION_PROPERTY = "hazelcast.config.schema.validation.enabled";
  /** The address a member names itself by when it binds every interface (Hazelcast's DefaultAddressPicker reads it). */
  static final String LOCAL_ADDRESS_PROPERTY = "hazelcast.local.localAddress";

  public static Config hazelcastConfig(ClusterConfig cluster) {
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
    } else {
      // Bound to every interface, Hazelcast names itself after a local address matching a seed (127.0.0.1 for a
      // loopback seed); name it like Vert.x names the bus instead. Not via interfaces: they filter hostname seeds.
      LocalAddress.firstNonLoopback().ifPresent(ip -> config.setProperty(LOCAL_ADDRESS_PROPERTY, ip));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.members().isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  public static EventBusOptions eventBusOptions(ClusterConfig cluster) {
    EventBusOptions options = new EventBusOptions().setPort(cluster.eventBusPort());
    // Bound to every interface with nothing to advertise, the host stays unset so Vert.x uses Hazelcast's address.
    if (!cluster.bindsAnyInterface()) {
      options.setHost(cluster.host());
    }
    return options;
  }

  /**
   * Completes both with what the node advertises. Vert.x reads the event-bus options when the bus starts and
   * Hazelcast its config when it joins, so this may run after both objects were handed over, before Vert.x starts.
   */
  public static void advertise(Config hazelcast, EventBusOptions eventBus, ClusterConfig cluster,
                               Advertisement advertisement, JsonObject metadata) {
    eventBus.setClusterNodeMetadata(metadata);
    if (advertisement.isPublic()) {
      hazelcast.getNetworkConfig().setPublicAddress(advertisement.hazelcastAddress());
      eventBus.setHost(cluster.host())
        .setClusterPublicHost(advertisement.host())
        .setClusterPublicPort(advertisement.eventBusPort());
    }
  }
}
