package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import dev.berth.config.AdvertiseConfig;
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
    List.of("127.0.0.1:5701", "127.0.0.1:5702"), AdvertiseConfig.DEFAULT);
  private static final ClusterConfig CONTAINER = new ClusterConfig("prod", "0.0.0.0", 5701, 5710,
    List.of("10.0.0.5:5701"), AdvertiseConfig.DEFAULT);
  private static final Advertisement PUBLISHED =
    new Advertisement(AdvertiseMode.DOCKER, "10.0.0.7", 32768, 32769, "docker: test");

  @Test
  @DisplayName("the bundled cluster.xml is valid against Hazelcast's schema, which start-up does not check again")
  void bundledConfigIsValid() throws IOException {
    System.setProperty("hazelcast.config.schema.validation.enabled", "true");
    try (InputStream xml = ClusterSetupTest.class.getResourceAsStream("/cluster.xml")) {
      Config config = new XmlConfigBuilder(xml).build();
      assertThat(config.getClusterName()).isEqualTo("berth");
      assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
      assertThat(config.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
    } finally {
      System.clearProperty("hazelcast.config.schema.validation.enabled");
    }
  }

  @Test
  @DisplayName("a loopback node binds its interface and fixed port, and joins its seed members over TCP-IP only")
  void loopbackNode() {
    NetworkConfig network = ClusterSetup.hazelcastConfig(LOOPBACK).getNetworkConfig();
    assertThat(network.getPort()).isEqualTo(5702);
    assertThat(network.isPortAutoIncrement()).isFalse();
    assertThat(network.getInterfaces().isEnabled()).isTrue();
    assertThat(network.getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(network.getPublicAddress()).isNull();
    assertThat(network.getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(network.getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(network.getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
  }

  @Test
  @DisplayName("a node with a published address binds every interface, names itself by its first non-loopback address"
    + " and advertises the public address")
  void publishedNode() {
    Config config = ClusterSetup.hazelcastConfig(CONTAINER);
    EventBusOptions eventBus = ClusterSetup.eventBusOptions(CONTAINER);
    ClusterSetup.advertise(config, eventBus, CONTAINER, PUBLISHED, new JsonObject().put("name", "n"));
    assertThat(config.getClusterName()).isEqualTo("prod");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isNull();
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
    assertThat(config.getProperty(ClusterSetup.LOCAL_ADDRESS_PROPERTY)).isEqualTo(LocalAddress.firstNonLoopback().orElse(null));
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("10.0.0.7:32768");

    assertThat(eventBus.getHost()).isEqualTo("0.0.0.0");
    assertThat(eventBus.getPort()).isEqualTo(5710);
    assertThat(eventBus.getClusterPublicHost()).isEqualTo("10.0.0.7");
    assertThat(eventBus.getClusterPublicPort()).isEqualTo(32769);
    assertThat(eventBus.getClusterNodeMetadata()).isEqualTo(new JsonObject().put("name", "n"));
  }

  @Test
  @DisplayName("a node bound to every interface with nothing published lets Vert.x advertise Hazelcast's address")
  void anyInterfaceWithoutAdvertisement() {
    EventBusOptions eventBus = ClusterSetup.eventBusOptions(CONTAINER);
    ClusterSetup.advertise(ClusterSetup.hazelcastConfig(CONTAINER), eventBus, CONTAINER, Advertisement.bound("test"),
      new JsonObject());
    assertThat(eventBus.getHost()).isNull();
    assertThat(eventBus.getClusterPublicHost()).isNull();
  }
}
