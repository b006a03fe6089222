package dev.berth.docker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Container inspections recorded from a Docker 20.10 daemon (GET /containers/{id}/json), as berth reads them. */
class ContainerDescriptionTest {

  @Test
  @DisplayName("published ports keep each binding, IPv4 and IPv6 twins on different host ports included")
  void publishedPorts() throws IOException {
    ContainerDescription container = recorded("inspect-published.json");

    assertThat(container.tcpBindings(5701)).containsExactly(
      new ContainerDescription.Binding("0.0.0.0", 32940), new ContainerDescription.Binding("::", 32938));
    assertThat(container.tcpBindings(5710)).containsExactly(
      new ContainerDescription.Binding("0.0.0.0", 32939), new ContainerDescription.Binding("::", 32937));
    assertThat(container.usesHostNetwork()).isFalse();
    assertThat(container.networks()).containsEntry("bridge", new ContainerDescription.Network("172.17.0.2", "172.17.0.1"));
  }

  @Test
  @DisplayName("an exposed port that is not published, and one never exposed, have no bindings")
  void unpublishedPorts() throws IOException {
    ContainerDescription container = recorded("inspect-published.json");

    assertThat(container.ports()).containsKey("9345/tcp");
    assertThat(container.tcpBindings(9345)).isEmpty();
    assertThat(container.tcpBindings(2345)).isEmpty();
  }

  @Test
  @DisplayName("a port published only as UDP has no TCP bindings")
  void udpOnly() {
    JsonObject inspection = new JsonObject().put("NetworkSettings", new JsonObject().put("Ports", new JsonObject()
      .put("5701/udp", List.of(new JsonObject().put("HostIp", "0.0.0.0").put("HostPort", "32771")))));

    assertThat(ContainerDescription.fromJson(inspection).tcpBindings(5701)).isEmpty();
  }

  @Test
  @DisplayName("a container on the host's network is recognised as such")
  void hostNetwork() throws IOException {
    ContainerDescription container = recorded("inspect-host-network.json");

    assertThat(container.usesHostNetwork()).isTrue();
    assertThat(container.ports()).isEmpty();
  }

  @Test
  @DisplayName("a document of another shape is refused with the field that is wrong")
  void otherShape() {
    JsonObject inspection = new JsonObject().put("NetworkSettings", new JsonObject().put("Ports", "none"));

    assertThatThrownBy(() -> ContainerDescription.fromJson(inspection)).hasMessage("field Ports is not an object");
  }

  private static ContainerDescription recorded(String name) throws IOException {
    try (InputStream json = ContainerDescriptionTest.class.getResourceAsStream("/docker/" + name)) {
      return ContainerDescription.fromJson(new JsonObject(new String(json.readAllBytes(), StandardCharsets.UTF_8)));
    }
  }
}
