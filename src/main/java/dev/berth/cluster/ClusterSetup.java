package dev.berth.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.EndpointConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.PartitionGroupConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import com.hazelcast.instance.EndpointQualifier;
import dev.berth.advertise.Advertisement;
import dev.berth.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds a node's Hazelcast config and event-bus options from its cluster config and what it advertises. Starts from
 * {@code cluster.xml} (or the file named by {@code -Dvertx.hazelcast.config}) and sets what berth owns: ports,
 * interface, seed members, cluster name and public addresses, Vert.x's node id, and what keeps strangers out: one
 * endpoint only, for members (no client protocol, REST or memcache), and Java deserialization refused but for
 * Hazelcast's own classes and the JDK's exceptions.
 */
public final class ClusterSetup {

  /** The system property vertx-hazelcast reads to load a cluster.xml other than the bundled one. */
  static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  private static final String SCHEMA_VALIDATION_PROPERTY = "hazelcast.config.schema.validation.enabled";
  /** The address a member names itself by when it binds every interface (Hazelcast's DefaultAddressPicker reads it). */
  static final String LOCAL_ADDRESS_PROPERTY = "hazelcast.local.localAddress";
  /** Where vertx-hazelcast reads a member's node id when it is handed a running Hazelcast instance. */
  static final String VERTX_NODE_ID = "__vertx.nodeId";
  /**
   * The only classes a member deserializes with Java serialization: Hazelcast's own (the exceptions it sends back)
   * and the JDK's that exceptions carry. berth's own maps hold strings and Vert.x's DataSerializable entries.
   */
  static final ClassFilter JAVA_DESERIALIZATION_ALLOWED = new ClassFilter()
    .addPrefixes("com.hazelcast.")
    .addPackages("java.lang", "java.util", "java.util.concurrent", "java.io", "java.net", "java.time")
    .addClasses("[Ljava.lang.StackTraceElement;", "[Ljava.lang.Throwable;", "[Ljava.lang.Object;",
      "[Ljava.lang.String;");

  /**
   * A connection to a member that stopped answering (a link cut, then back) is dropped once a ping goes unanswered for
   * 3 s, and a connect gives up after 5 s: with Vert.x's defaults (20 s, 20 s, 60 s) a replica stayed unreachable for
   * up to a minute after its link was back, behind a socket in TCP retransmission backoff.
   */
  static final long PING_INTERVAL_MS = 2_000;
  static final long PING_REPLY_MS = 3_000;
  static final int CONNECT_TIMEOUT_MS = 5_000;

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
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty(GatedHazelcast.SEED_WAIT.getName(), String.valueOf(cluster.seedWaitMs()));
    config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
    if (cluster.zone() != null) {
      // A zone's members can go together (a drained Docker host): the registry's backups then live in another zone.
      config.getMemberAttributeConfig().setAttribute(PartitionGroupMetaData.PARTITION_GROUP_ZONE, cluster.zone());
      config.getPartitionGroupConfig().setEnabled(true).setGroupType(PartitionGroupConfig.MemberGroupType.ZONE_AWARE);
    }
    config.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
      .setDefaultsDisabled(true).setWhitelist(new ClassFilter(JAVA_DESERIALIZATION_ALLOWED)));
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true);
    ServerSocketEndpointConfig member = memberEndpointOnly(network);
    // A fixed port: the one Docker publishes, and a clear failure instead of a silent move to the next port.
    member.setPort(cluster.hazelcastPort()).setPortAutoIncrement(false);
    if (!cluster.bindsAnyInterface()) {
      member.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));
      config.setProperty("hazelcast.socket.bind.any", "false");
      // Named outright: an address of the loopback range other than 127.0.0.1 matches no interface's own address.
      config.setProperty(LOCAL_ADDRESS_PROPERTY, cluster.host());
    } else {
      // Bound to every interface, Hazelcast names itself after a local address matching a seed (127.0.0.1 for a
      // loopback seed); name it like Vert.x names the bus instead. Not via interfaces: they filter hostname seeds.
      config.setProperty(LOCAL_ADDRESS_PROPERTY, advertisement.localHost());
    }
    if (advertisement.isPublic()) {
      member.setPublicAddress(advertisement.hazelcastAddress());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.members().isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  /** The member endpoint, the file's or a new one, as the only endpoint: no client, REST, memcache or WAN socket. */
  private static ServerSocketEndpointConfig memberEndpointOnly(AdvancedNetworkConfig network) {
    EndpointConfig configured = network.getEndpointConfigs().get(EndpointQualifier.MEMBER);
    ServerSocketEndpointConfig member = configured instanceof ServerSocketEndpointConfig socket ? socket
      : new ServerSocketEndpointConfig();
    network.setEndpointConfigs(Map.of());
    network.setMemberEndpointConfig(member);
    return member;
  }

  private static EventBusOptions eventBusOptions(ClusterConfig cluster, Advertisement advertisement) {
    EventBusOptions options = new EventBusOptions().setPort(cluster.eventBusPort())
      .setClusterPingInterval(PING_INTERVAL_MS)
      .setClusterPingReplyInterval(PING_REPLY_MS)
      .setConnectTimeout(CONNECT_TIMEOUT_MS);
    if (advertisement.isPublic()) {
      return options.setHost(cluster.host())
        .setClusterPublicHost(advertisement.host())
        .setClusterPublicPort(advertisement.eventBusPort());
    }
    // Bound to every interface with nothing to advertise, the host stays unset so Vert.x uses Hazelcast's address.
    return cluster.bindsAnyInterface() ? options : options.setHost(cluster.host());
  }
}
