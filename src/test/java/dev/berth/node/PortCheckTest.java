package dev.berth.node;

import dev.berth.config.BerthConfig;
import dev.berth.config.Listener;
import dev.berth.testing.FreePorts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The one list of the ports a node listens on, and the check of them before anything starts. */
class PortCheckTest {

  private final int http = FreePorts.next();
  private final int management = FreePorts.next();
  private final int hazelcast = FreePorts.next();
  private final int bridge = FreePorts.next();

  @Test
  @DisplayName("a gateway and worker with a bridge listens for HTTP, management, Hazelcast, the event bus and the bridge")
  void everyPort() {
    assertThat(node(bridge).listeners()).extracting(Listener::purpose, Listener::key, Listener::port).containsExactly(
      tuple("http", "gateway.httpPort", http),
      tuple("management", "management.port", management),
      tuple("hazelcast", "cluster.hazelcastPort", hazelcast),
      tuple("event bus", "cluster.eventBusPort", 0),
      tuple("bridge", "bridge.port", bridge));
    assertThat(PortCheck.firstConflict(node(bridge))).isNull();
  }

  @Test
  @DisplayName("a bridge port in use is one line naming the key and the variable")
  void bridgePortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), bridge));
      assertThat(PortCheck.firstConflict(node(bridge))).isEqualTo("cannot listen on 127.0.0.1:" + bridge + " for"
        + " bridge.port: Address already in use (another node on this machine? set BERTH_BRIDGE_PORT)");
    }
  }

  @Test
  @DisplayName("two of the node's own ports on one port: one line naming both keys")
  void ownPortsClash() {
    assertThat(PortCheck.firstConflict(node(management))).isEqualTo("bridge.port and management.port are both port "
      + management + ": give each a port of its own (set BERTH_BRIDGE_PORT)");
  }

  private BerthConfig node(int bridgePort) {
    return BerthConfig.fromJson(new JsonObject("""
      {"roles": ["gateway", "worker"], "gateway": {"httpPort": %d}, "management": {"port": %d},
       "cluster": {"host": "127.0.0.1", "hazelcastPort": %d},
       "bridge": {"host": "127.0.0.1", "port": %d, "addresses": ["first"], "token": "0123456789abcdef"}}"""
      .formatted(http, management, hazelcast, bridgePort)));
  }
}
