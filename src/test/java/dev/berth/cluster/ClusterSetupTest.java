package dev.berth.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.instance.EndpointQualifier;
import dev.berth.advertise.Advertisement;
import dev.berth.config.AdvertiseConfig;
import dev.berth.config.AdvertiseMode;
import dev.berth.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSetupTest {

  private static final ClusterConfig LOOPBACK = new ClusterConfig(null, "127.0.0.1", 5702, 0,
    List.of("127.0.0.1:5701", "127.0.0.1:5702"), ClusterConfig.DEFAULT_SEED_WAIT_MS, ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null,
    null);
  private static final ClusterConfig CONTAINER = new ClusterConfig("prod", "0.0.0.0", 5701, 5710,
    List.of("10.0.0.5:5701"), ClusterConfig.DEFAULT_SEED_WAIT_MS, ClusterConfig.DEFAULT_JOIN_TIMEOUT_MS, AdvertiseConfig.DEFAULT, null, null, null);
  /** A container's own address and the host address and ports Docker published for it, made up for the test. */
  private static final Advertisement PUBLISHED =
    new Advertisement(AdvertiseMode.DOCKER, "172.18.0.4", "10.0.0.7", 32768, 32769, "docker: test");
  private static final Advertisement BOUND_IN_CONTAINER =
    new Advertisement(AdvertiseMode.NONE, "172.18.0.4", "172.18.0.4", 5701, 5710, "none: test");
  private static final JsonObject METADATA = new JsonObject().put("name", "n");

  @Test
  @DisplayName("the bundled cluster.xml is valid against Hazelcast's schema, which start-up does not check again")
  void bundledConfigIsValid() throws IOException {
    System.setProperty("hazelcast.config.schema.validation.enabled", "true");
    try (InputStream xml = ClusterSetupTest.class.getResourceAsStream("/cluster.xml")) {
      Config config = new XmlConfigBuilder(xml).build();
      assertThat(config.getClusterName()).isEqualTo("berth");
      assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
      assertThat(config.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
      assertThat(config.getAdvancedNetworkConfig().isEnabled()).isTrue();
      assertThat(config.getAdvancedNetworkConfig().getEndpointConfigs()).containsOnlyKeys(EndpointQualifier.MEMBER);
    } finally {
      System.clearProperty("hazelcast.config.schema.validation.enabled");
    }
  }

  @Test
  @DisplayName("a loopback node binds its interface and fixed port, and joins its seed members over TCP-IP only")
  void loopbackNode() {
    ClusterOptions options = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), LOOPBACK, Advertisement.bound(LOOPBACK, "test"), METADATA,
      null);
    AdvancedNetworkConfig network = options.hazelcast().getAdvancedNetworkConfig();
    ServerSocketEndpointConfig member = memberEndpoint(options.hazelcast());
    assertThat(member.getPort()).isEqualTo(5702);
    assertThat(member.isPortAutoIncrement()).isFalse();
    assertThat(member.getInterfaces().isEnabled()).isTrue();
    assertThat(member.getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(options.hazelcast().getProperty(ClusterSetup.LOCAL_ADDRESS_PROPERTY)).isEqualTo("127.0.0.1");
    assertThat(member.getPublicAddress()).isNull();
    assertThat(network.getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(network.getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(network.getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    assertThat(options.eventBus().getHost()).isEqualTo("127.0.0.1");
    assertThat(options.eventBus().getClusterPublicHost()).isNull();
  }

  @Test
  @DisplayName("a node with a published address binds every interface, names itself by its own address and advertises"
    + " the public one")
  void publishedNode() {
    ClusterOptions options = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), CONTAINER, PUBLISHED, METADATA, null);
    Config config = options.hazelcast();
    assertThat(config.getClusterName()).isEqualTo("prod");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isNull();
    assertThat(memberEndpoint(config).getInterfaces().isEnabled()).isFalse();
    assertThat(config.getProperty(ClusterSetup.LOCAL_ADDRESS_PROPERTY)).isEqualTo("172.18.0.4");
    assertThat(memberEndpoint(config).getPublicAddress()).isEqualTo("10.0.0.7:32768");

    EventBusOptions eventBus = options.eventBus();
    assertThat(eventBus.getHost()).isEqualTo("0.0.0.0");
    assertThat(eventBus.getPort()).isEqualTo(5710);
    assertThat(eventBus.getClusterPublicHost()).isEqualTo("10.0.0.7");
    assertThat(eventBus.getClusterPublicPort()).isEqualTo(32769);
    assertThat(eventBus.getClusterNodeMetadata()).isEqualTo(METADATA);
  }

  @Test
  @DisplayName("a node bound to every interface with nothing published names itself by its own address, and lets"
    + " Vert.x advertise Hazelcast's")
  void anyInterfaceWithoutAdvertisement() {
    ClusterOptions options = ClusterSetup.options(ClusterSetup.loadHazelcastConfig(), CONTAINER, BOUND_IN_CONTAINER, METADATA,
      null);
    assertThat(options.hazelcast().getProperty(ClusterSetup.LOCAL_ADDRESS_PROPERTY)).isEqualTo("172.18.0.4");
    assertThat(memberEndpoint(options.hazelcast()).getPublicAddress()).isNull();
    assertThat(options.eventBus().getHost()).isNull();
    assertThat(options.eventBus().getClusterPublicHost()).isNull();
  }

  @Test
  @DisplayName("a node speaks only the member protocol, even when its cluster.xml opens a client, REST and memcache"
    + " endpoint; Java deserialization admits only Hazelcast's classes and the JDK's that exceptions carry")
  void onlyTheMemberEndpoint() {
    Config loaded = ClusterSetup.loadHazelcastConfig();
    loaded.getAdvancedNetworkConfig().setClientEndpointConfig(new ServerSocketEndpointConfig().setPort(5801))
      .setRestEndpointConfig(new com.hazelcast.config.RestServerEndpointConfig().setPort(5802))
      .setMemcacheEndpointConfig(new ServerSocketEndpointConfig().setPort(5803));

    Config config = ClusterSetup.options(loaded, LOOPBACK, Advertisement.bound(LOOPBACK, "test"), METADATA, null)
      .hazelcast();

    assertThat(config.getAdvancedNetworkConfig().getEndpointConfigs()).containsOnlyKeys(EndpointQualifier.MEMBER);
    var filter = new com.hazelcast.internal.serialization.SerializationClassNameFilter(
      config.getSerializationConfig().getJavaSerializationFilterConfig());
    filter.filter("com.hazelcast.core.HazelcastException");
    filter.filter("java.lang.IllegalStateException");
    for (String gadget : List.of("io.vertx.core.json.JsonObject", "org.bouncycastle.jce.provider.BouncyCastleProvider",
      "javax.management.BadAttributeValueExpException", "java.rmi.server.UnicastRemoteObject")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> filter.filter(gadget)).as(gadget)
        .isInstanceOf(SecurityException.class);
    }
  }

  private static ServerSocketEndpointConfig memberEndpoint(Config config) {
    return (ServerSocketEndpointConfig) config.getAdvancedNetworkConfig().getEndpointConfigs()
      .get(EndpointQualifier.MEMBER);
  }
}
