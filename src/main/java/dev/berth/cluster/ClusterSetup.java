package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.berth.advertise.Advertisement;
import dev.berth.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.util.List;

/**
 * Builds a node's Hazelcast config and event-bus options from its cluster config and what it advertises. Starts from
 * {@code cluster.xml} (or the file named by {@code -Dvertx.hazelcast.config}) and sets only what berth owns: ports,
 * interface, seed members, cluster name and public addresses.
 */
public final class ClusterSetup {

  /** The system property vertx-hazelcast reads to load a cluster.xml other than the bundled one. */
  static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  private static final String SCHEMA_VALIDATION_PROPERTY = "hazelcast.config.schema.validation.enabled";
  /** The address a member names itself by when it binds every interface (Hazelcast's DefaultAddressPicker reads it). */
  static final String LOCAL_ADDRESS_PROPERTY = "hazelcast.local.localAddress";

  private ClusterSetup() {
  }

  /** The Hazelcast config as the file gives it, before berth sets its part; reading it takes ~0.15 s on a cold JVM. */
  public static Config loadHazelcastConfig() {
    if (System.getProperty(CONFIG_PROPERTY) == null && System.getProperty(SCHEMA_VALIDATION_PROPERTY) == null) {
      // The bundled cluster.xml is validated by its test; checking it again costs ~0.4 s of start-up.
      System.setProperty(SCHEMA_VALIDATION_PROPERTY, "false");
    }
    return ConfigUtil.loadConfig();
  }

  /**
   * @param loaded       what {@link #loadHazelcastConfig()} read, completed here and handed over nowhere else
   * @param nodeMetadata what the node publishes about itself to the other members, through Vert.x
   * @param tls          the cluster's TLS, for mutual TLS on the event bus; null for a plain cluster
   */
  public static ClusterOptions options(Config loaded, ClusterConfig cluster, Advertisement advertisement,
                                       JsonObject nodeMetadata, ClusterTls tls) {
    Config hazelcast = hazelcastConfig(loaded, cluster, advertisement);
    EventBusOptions eventBus = eventBusOptions(cluster, advertisement).setClusterNodeMetadata(nodeMetadata);
    return new ClusterOptions(hazelcast, tls == null ? eventBus : tls.secure(eventBus), JoinWatch.listeningTo(hazelcast));
  }

  private static Config hazelcastConfig(Config config, ClusterConfig cluster, Advertisement advertisement) {
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
      config.setProperty(LOCAL_ADDRESS_PROPERTY, advertisement.localHost());
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

  private static EventBusOptions eventBusOptions(ClusterConfig cluster, Advertisement advertisement) {
    EventBusOptions options = new EventBusOptions().setPort(cluster.eventBusPort());
    if (advertisement.isPublic()) {
      return options.setHost(cluster.host())
        .setClusterPublicHost(advertisement.host())
        .setClusterPublicPort(advertisement.eventBusPort());
    }
    // Bound to every interface with nothing to advertise, the host stays unset so Vert.x uses Hazelcast's address.
    return cluster.bindsAnyInterface() ? options : options.setHost(cluster.host());
  }
}
