package dev.berth.docker;

import dev.berth.testing.BerthContainer;
import dev.berth.testing.Docker;
import dev.berth.testing.DockerNetwork;
import dev.berth.testing.Http;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes in containers of the real daemon advertise this host's address and the ports Docker published for them, and
 * that is what lets a gateway and a worker on two networks that cannot reach each other form one cluster. It runs
 * alone: one test foresees the host port the daemon hands out next, which another test's container would take.
 */
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DockerAdvertiseIT {

  private static final Duration HEALTHY_BOUND = Duration.ofSeconds(90);
  private static final Duration ROUTE_BOUND = Duration.ofSeconds(60);

  private final String hostIp = Docker.hostIp();
  private final List<AutoCloseable> made = new ArrayList<>();
  private BerthContainer gateway;
  private BerthContainer worker;

  private final List<AutoCloseable> topology = new ArrayList<>();

  @AfterEach
  void removeSingleTestContainers() {
    closeAll(made);
  }

  @AfterAll
  void removeTopology() {
    closeAll(topology);
  }

  @Test
  @Order(1)
  @DisplayName("a node in a container advertises this host's IP and exactly the ports Docker published for it")
  void advertisesPublishedPorts() {
    BerthContainer node = keep(made, BerthContainer.node("conf/worker-first.json")
      .publish(5701, 5710, 9345).withDockerSocket()
      .env("BERTH_HOST_IP", hostIp).env("BERTH_CLUSTER_NAME", "it-" + UUID.randomUUID())
      .start()).awaitHealthy(HEALTHY_BOUND);

    JsonObject self = self(node);
    assertThat(self.getString("hazelcast")).isEqualTo(hostIp + ":" + node.publishedPort(5701));
    assertThat(self.getString("eventBus")).isEqualTo(hostIp + ":" + node.publishedPort(5710));
    assertThat(self.getString("advertise")).isEqualTo("docker");
    assertThat(self.getString("name")).as("named after its container").isEqualTo(node.shortId());
    assertThat(node.logs()).contains(
      "event bus bound 0.0.0.0:5710, advertised " + hostIp + ":" + node.publishedPort(5710),
      "hazelcast bound 0.0.0.0:5701, advertised " + hostIp + ":" + node.publishedPort(5701),
      "docker: container " + node.shortId() + " from /proc/self/mountinfo", "host IP from BERTH_HOST_IP");
  }

  @Test
  @Order(2)
  @DisplayName("ports published on one host address are advertised on that address, with no BERTH_HOST_IP")
  void advertisesBindingAddress() {
    BerthContainer node = keep(made, BerthContainer.node("conf/worker-first.json")
      .publishOn(hostIp, 5701, 5710).publish(9345).withDockerSocket()
      .env("BERTH_CLUSTER_NAME", "it-" + UUID.randomUUID())
      .start()).awaitHealthy(HEALTHY_BOUND);

    JsonObject self = self(node);
    assertThat(self.getString("hazelcast")).isEqualTo(hostIp + ":" + node.publishedPort(5701));
    assertThat(self.getString("eventBus")).isEqualTo(hostIp + ":" + node.publishedPort(5710));
    assertThat(node.logs()).contains("host IP from the -p binding");
  }

  @Test
  @Order(3)
  @DisplayName("when Docker puts the IPv4 and IPv6 twins of a -p on different host ports, the IPv4 port is advertised")
  void twinsOnDifferentHostPorts() throws IOException {
    BerthContainer node = BerthContainer.node("conf/worker-first.json")
      .publish(5701, 5710, 9345).withDockerSocket()
      .env("BERTH_HOST_IP", hostIp).env("BERTH_CLUSTER_NAME", "it-" + UUID.randomUUID());
    // dockerd hands out host ports in sequence per family; a port taken on IPv4 only moves just the IPv4 binding on.
    int next = nextHostPort();
    List<ServerSocketChannel> heldOnIpv4 = new ArrayList<>();
    try {
      for (int port = next; port < next + 3; port++) {
        // An INET channel: a plain ServerSocket on 0.0.0.0 is dual-stack where IPv6 is on, and would hold both families.
        heldOnIpv4.add(ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("0.0.0.0", port)));
      }
      keep(made, node.start());
    } finally {
      for (ServerSocketChannel held : heldOnIpv4) {
        held.close();
      }
    }
    node.awaitHealthy(HEALTHY_BOUND);

    for (int containerPort : new int[] {5701, 5710}) {
      assertThat(Docker.publishedIpv6Port(node.inspect(), containerPort)).as("the IPv6 twin of " + containerPort)
        .isNotEqualTo(node.publishedPort(containerPort));
    }
    JsonObject self = self(node);
    assertThat(self.getString("hazelcast")).isEqualTo(hostIp + ":" + node.publishedPort(5701));
    assertThat(self.getString("eventBus")).isEqualTo(hostIp + ":" + node.publishedPort(5710));
  }

  @Test
  @Order(4)
  @DisplayName("auto mode without the Docker socket starts anyway and advertises its bound addresses")
  void autoWithoutSocket() {
    BerthContainer node = keep(made, BerthContainer.node("conf/worker-first.json")
      .publish(9345).env("BERTH_CLUSTER_NAME", "it-" + UUID.randomUUID())
      .start()).awaitHealthy(HEALTHY_BOUND);

    assertThat(self(node).getString("advertise")).isEqualTo("none");
    assertThat(node.logs()).contains("auto: the Docker API socket /var/run/docker.sock does not exist");
  }

  @Test
  @Order(5)
  @DisplayName("gateway and worker on two networks that cannot reach each other answer /a through published ports")
  void crossNetworkCluster() {
    startTopology(Map.of(), true);
    Http.Response first = Poll.until("/a answering First", ROUTE_BOUND, () -> Http.get(gatewayUrl("/a")),
      response -> response.status() == 200).value();
    assertThat(first.body()).isEqualTo("First");
    assertThat(first.servedBy()).isEqualTo(worker.shortId());
    assertThat(gateway.exec("timeout 3 bash -c '</dev/tcp/" + worker.privateIp() + "/5701'"))
      .as("the gateway cannot reach the worker's private address").isNotZero();
    assertThat(worker.exec("timeout 3 bash -c '</dev/tcp/" + gateway.privateIp() + "/5701'"))
      .as("the worker cannot reach the gateway's private address").isNotZero();
    assertThat(members("hazelcast").get(worker.shortId()))
      .isEqualTo(hostIp + ":" + worker.publishedPort(5701));
  }

  @Test
  @Order(6)
  @DisplayName("a restarted worker gets new published ports, advertises them, and /a answers First again")
  void restartedWorkerReadvertises() {
    int portBefore = worker.publishedPort(5701);
    worker.restart();
    worker.awaitHealthy(HEALTHY_BOUND);
    int portAfter = worker.publishedPort(5701);
    System.out.printf("DockerAdvertiseIT: worker hazelcast port %d before restart, %d after%n", portBefore, portAfter);

    Poll.until("the gateway's view of the restarted worker", ROUTE_BOUND, () -> members("hazelcast"),
      advertised -> (hostIp + ":" + portAfter).equals(advertised.get(worker.shortId())));
    Http.Response first = Poll.until("/a answering First again", ROUTE_BOUND, () -> Http.get(gatewayUrl("/a")),
      response -> response.status() == 200).value();
    assertThat(first.body()).isEqualTo("First");
    closeAll(topology);
  }

  @Test
  @Order(7)
  @DisplayName("negative control: with BERTH_ADVERTISE=none the worker joins through the seed's published port but"
    + " advertises its private address, so /a never answers First")
  void withoutAdvertisingTheBusCannotReachTheWorker() {
    startTopology(Map.of("BERTH_ADVERTISE", "none"), false);
    Map<String, String> eventBusByName = Poll.until("the worker listed by the gateway", ROUTE_BOUND,
      () -> members("eventBus"), members -> members.containsKey(worker.shortId())).value();
    assertThat(eventBusByName.get(worker.shortId())).as("what the worker advertises")
      .isEqualTo(worker.privateIp() + ":5710");

    // The gateway lists the worker before it has the worker's consumer of first: until then, /a is 503 (no worker).
    Poll.until("the gateway sending /a to the worker", ROUTE_BOUND, () -> Http.get(gatewayUrl("/a")).status(),
      status -> status != 503);
    List<Integer> statuses = Poll.during(Duration.ofSeconds(10), () -> Http.get(gatewayUrl("/a")).status());
    assertThat(statuses).as("statuses of /a over 10 s").isNotEmpty().containsOnly(504);
  }

  /** A gateway on one network, a worker on another seeded with the gateway's published Hazelcast port. */
  private void startTopology(Map<String, String> extraEnv, boolean workerMustJoin) {
    closeAll(topology);
    String cluster = "it-" + UUID.randomUUID();
    DockerNetwork left = keep(topology, DockerNetwork.create("berth-left"));
    DockerNetwork right = keep(topology, DockerNetwork.create("berth-right"));
    BerthContainer gatewayNode = BerthContainer.node("conf/gateway.json").network(left.name())
      .publish(2345, 5701, 5710, 9345).withDockerSocket()
      .env("BERTH_HOST_IP", hostIp).env("BERTH_CLUSTER_NAME", cluster);
    extraEnv.forEach(gatewayNode::env);
    gateway = keep(topology, gatewayNode.start()).awaitHealthy(HEALTHY_BOUND);
    BerthContainer workerNode = BerthContainer.node("conf/worker-first.json").network(right.name())
      .publish(5701, 5710, 9345).withDockerSocket()
      .env("BERTH_HOST_IP", hostIp).env("BERTH_CLUSTER_NAME", cluster)
      .env("BERTH_CLUSTER_MEMBERS", hostIp + ":" + gateway.publishedPort(5701));
    extraEnv.forEach(workerNode::env);
    worker = keep(topology, workerNode.start());
    if (workerMustJoin) {
      worker.awaitHealthy(HEALTHY_BOUND);
    }
  }

  /** Member name → one field of it, as the gateway's GET /cluster lists them; members still starting are left out. */
  private Map<String, String> members(String field) {
    return Members.field("http://127.0.0.1:" + gateway.publishedPort(9345), field);
  }

  private String gatewayUrl(String path) {
    return "http://127.0.0.1:" + gateway.publishedPort(2345) + path;
  }

  /** The host port the next -p gets: the one after what a probe container is given now. */
  private int nextHostPort() {
    try (BerthContainer probe = BerthContainer.node("conf/worker-first.json").publish(9345)
      .env("BERTH_ADVERTISE", "none").start()) {
      return probe.publishedPort(9345) + 1;
    }
  }

  private static JsonObject self(BerthContainer node) {
    return Members.self("http://127.0.0.1:" + node.publishedPort(9345));
  }

  private static <T extends AutoCloseable> T keep(List<AutoCloseable> owner, T resource) {
    owner.add(resource);
    return resource;
  }

  /** Containers first, then the networks they were on. */
  private static void closeAll(List<AutoCloseable> resources) {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
    reversed.stream().filter(BerthContainer.class::isInstance).forEach(DockerAdvertiseIT::closeQuietly);
    reversed.stream().filter(resource -> !(resource instanceof BerthContainer)).forEach(DockerAdvertiseIT::closeQuietly);
    resources.clear();
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      throw new AssertionError("could not remove " + resource, e);
    }
  }
}
