package dev.berth.docker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Binding selection on NetworkSettings.Ports as the Docker API reports it (docker-java's own model). */
class PublishedPortTest {

  private static final String CONTAINER = "3d67c90cd9aa";

  @Test
  @DisplayName("the 0.0.0.0 and :: twins of one -p are one binding, on every address")
  void twinsAreOneBinding() throws DockerException {
    List<ContainerDescription.Binding> ports = List.of(binding("0.0.0.0", 32771), binding("::", 32771));
    assertThat(PublishedPort.select(ports, 5701, CONTAINER)).contains(new PublishedPort(5701, null, 32771, 32771));
  }

  @Test
  @DisplayName("twins on different host ports (one family's port was taken): a peer gets the port of its address family")
  void twinsOnDifferentPorts() throws DockerException {
    List<ContainerDescription.Binding> ports = List.of(binding("::", 32862), binding("0.0.0.0", 32863));
    PublishedPort published = PublishedPort.select(ports, 5701, CONTAINER).orElseThrow();

    assertThat(published).isEqualTo(new PublishedPort(5701, null, 32863, 32862));
    assertThat(published.hostPortFor("10.0.0.5")).isEqualTo(32863);
    assertThat(published.hostPortFor("fd00::5")).isEqualTo(32862);
  }

  @Test
  @DisplayName("a daemon with IPv6 off lists only the IPv4 binding, which then serves both families")
  void onlyIpv4Wildcard() throws DockerException {
    List<ContainerDescription.Binding> ports = List.of(binding("0.0.0.0", 32771));
    assertThat(PublishedPort.select(ports, 5701, CONTAINER)).contains(new PublishedPort(5701, null, 32771, 32771));
  }

  @Test
  @DisplayName("a binding on a specific host address keeps that address")
  void specificHostIp() throws DockerException {
    List<ContainerDescription.Binding> ports = List.of(binding("10.0.0.5", 32780));
    assertThat(PublishedPort.select(ports, 5710, CONTAINER)).contains(new PublishedPort(5710, "10.0.0.5", 32780, 32780));
  }

  @Test
  @DisplayName("a port without bindings is not published")
  void notPublished() throws DockerException {
    assertThat(PublishedPort.select(List.of(), 5701, CONTAINER)).isEmpty();
  }

  @Test
  @DisplayName("a loopback binding is ignored next to a reachable one, and refused when it is the only one")
  void loopback() throws DockerException {
    List<ContainerDescription.Binding> mixed = List.of(
      binding("127.0.0.1", 32790), binding("0.0.0.0", 32791));
    assertThat(PublishedPort.select(mixed, 5701, CONTAINER)).contains(new PublishedPort(5701, null, 32791, 32791));

    List<ContainerDescription.Binding> onlyLoopback = List.of(binding("127.0.0.1", 32790));
    assertThatThrownBy(() -> PublishedPort.select(onlyLoopback, 5701, CONTAINER))
      .hasMessage("port 5701/tcp of container 3d67c90cd9aa is published only on loopback (127.0.0.1:32790), which no"
        + " peer can reach: publish it with -p 5701 or -p <host-ip>::5701");
  }

  @Test
  @DisplayName("a port published on two host ports is refused: berth cannot tell which one peers use")
  void publishedTwice() {
    List<ContainerDescription.Binding> ports = List.of(
      binding("0.0.0.0", 32771), binding("10.0.0.5", 5701));
    assertThatThrownBy(() -> PublishedPort.select(ports, 5701, CONTAINER))
      .hasMessage("port 5701/tcp of container 3d67c90cd9aa is published more than once (0.0.0.0:32771, 10.0.0.5:5701):"
        + " publish it once, so that berth knows which one to advertise");
  }

  @Test
  @DisplayName("two -p of the same port on every address are refused, twins or not")
  void publishedTwiceOnEveryAddress() {
    List<ContainerDescription.Binding> ports = List.of(
      binding("0.0.0.0", 32771), binding("::", 32771),
      binding("0.0.0.0", 5701), binding("::", 5701));
    assertThatThrownBy(() -> PublishedPort.select(ports, 5701, CONTAINER))
      .hasMessage("port 5701/tcp of container 3d67c90cd9aa is published more than once (0.0.0.0:32771, 0.0.0.0:5701,"
        + " [::]:32771, [::]:5701): publish it once, so that berth knows which one to advertise");
  }

  private static ContainerDescription.Binding binding(String hostIp, int hostPort) {
    return new ContainerDescription.Binding(hostIp, hostPort);
  }
}
