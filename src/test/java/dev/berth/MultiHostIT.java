package dev.berth;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.testing.BerthImage;
import dev.berth.testing.ComposeProject;
import dev.berth.testing.Docker;
import dev.berth.testing.DockerHosts;
import dev.berth.testing.DockerHostsExtension;
import dev.berth.testing.Http;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/multi-host.md proven on two simulated Docker hosts (a network namespace and a dockerd each, joined only by an
 * ordinary IP network): host A runs the gateway and a `first` worker, host B a `first` replica and the `second` worker,
 * each host with the repository's docker-compose.yml and its env file from docker/multi-host/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class MultiHostIT {

  private static final Duration FORMATION_BOUND = Duration.ofSeconds(90);
  private static final Duration UNAVAILABLE_BOUND = Duration.ofSeconds(10);
  private static final Duration BACK_BOUND = Duration.ofSeconds(60);
  private static final Duration PARTITION = Duration.ofSeconds(10);
  /** cluster.joinTimeoutMs of the shipped configs. */
  private static final Duration JOIN_BOUND = Duration.ofSeconds(30);
  private static final Duration MERGE_BOUND = Duration.ofSeconds(30);
  /** gateway.requestTimeoutMs of the shipped gateway config. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  @RegisterExtension
  final DockerHostsExtension dockerHosts = new DockerHostsExtension(() -> List.of(BerthImage.tag()), "a", "b");
  private DockerHosts.Host hostA;
  private DockerHosts.Host hostB;
  private ComposeProject onA;
  private ComposeProject onB;

  @BeforeAll
  void nameHosts() {
    hostA = dockerHosts.started().host("a");
    hostB = dockerHosts.started().host("b");
  }

  @Test
  @Order(1)
  @DisplayName("four nodes on two hosts form one TLS cluster of proven members, each advertising its own host's IP and"
    + " published ports")
  void formsOneClusterAcrossHosts() {
    long start = System.nanoTime();
    deploy("docker");
    Map<String, JsonObject> members = Poll.until("four members", FORMATION_BOUND, this::members, found -> found.size() == 4)
      .value();
    System.out.printf("MultiHostIT: compose up on both hosts to a 4-member cluster: %d ms%n", elapsedMs(start));

    assertAdvertisesItsHost(members, hostA, onA, List.of("gateway", "worker-first"));
    assertAdvertisesItsHost(members, hostB, onB, List.of("worker-first", "worker-second"));
    assertThat(Http.get(managementUrl() + "/cluster").json().getBoolean("tls")).as("tls").isTrue();
    Poll.until("every member proven", FORMATION_BOUND, this::members,
      found -> found.values().stream().allMatch(member -> member.getBoolean("proven", false)));
  }

  @Test
  @Order(2)
  @DisplayName("through host A's gateway /a is answered by both first replicas and /z by host B's second worker")
  void routesAcrossHosts() {
    Http.Response z = Poll.until("Second from host B", FORMATION_BOUND, () -> get("/z"), r -> r.status() == 200).value();
    // Host B's first replica may be proven a moment after its second worker: the cluster settles within the bound.
    Set<String> firstReplicas = Poll.until("both first replicas serving /a", UNAVAILABLE_BOUND,
      () -> IntStream.range(0, 40).mapToObj(i -> get("/a"))
        .peek(response -> assertThat(response.body()).isEqualTo("First"))
        .map(Http.Response::servedBy).collect(Collectors.toSet()), replicas -> replicas.size() == 2).value();

    assertThat(z.body()).isEqualTo("Second");
    assertThat(z.servedBy()).isEqualTo(Docker.shortId(onB.containers("worker-second").get(0)));
    assertThat(firstReplicas).containsExactlyInAnyOrder(Docker.shortId(onA.containers("worker-first").get(0)),
      Docker.shortId(onB.containers("worker-first").get(0)));
  }

  @Test
  @Order(3)
  @DisplayName("a container on host B cannot reach a container's private IP on host A, only its published port")
  void privateAddressesDoNotCrossHosts() {
    String gatewayOnA = onA.containers("gateway").get(0);
    String privateIp = hostA.client().inspectContainerCmd(gatewayOnA).exec().getNetworkSettings().getNetworks().values()
      .iterator().next().getIpAddress();
    String workerOnB = onB.containers("worker-second").get(0);

    assertThat(connect(workerOnB, privateIp, 5701)).as("exit code of a connection to " + privateIp + ":5701").isNotZero();
    assertThat(connect(workerOnB, hostA.ip(), published(hostA.client(), gatewayOnA, 5701))).as("published").isZero();
  }

  @Test
  @Order(4)
  @DisplayName("host B's second worker stopped: /z gets 503; started again on new ports: /z answers again")
  void secondWorkerLeavesAndComesBack() {
    String worker = onB.containers("worker-second").get(0);
    int eventBusPortBefore = published(hostB.client(), worker, 5710);

    long stopped = System.nanoTime();
    onB.run("stop", "worker-second");
    Poll.Result<Http.Response> unavailable = Poll.until("503 on /z", UNAVAILABLE_BOUND, () -> get("/z"),
      response -> response.status() == 503);
    System.out.printf("MultiHostIT: stop to 503 on /z: %d ms%n", elapsedMs(stopped));

    long started = System.nanoTime();
    onB.run("start", "worker-second");
    Poll.Result<Http.Response> back = Poll.until("Second again", BACK_BOUND, () -> get("/z"), r -> r.status() == 200);
    System.out.printf("MultiHostIT: start to Second on /z: %d ms%n", elapsedMs(started));

    assertThat(unavailable.value().json().getString("error")).isEqualTo("no worker for address 'second'");
    assertThat(back.value().body()).isEqualTo("Second");
    assertThat(published(hostB.client(), worker, 5710)).as("new random event-bus port").isNotEqualTo(eventBusPortBefore);
    assertThat(members().get(Docker.shortId(worker)).getString("eventBus"))
      .isEqualTo(hostB.ip() + ":" + published(hostB.client(), worker, 5710));
  }

  @Test
  @Order(5)
  @DisplayName("host B cut off for 10 s: no request waits past the request timeout; healed, the cluster merges and /a"
    + " and /z are answered at the first attempt, so no registration of the split is left behind")
  void partitionThenMerge() {
    dockerHosts.started().cut("b");
    List<Timed> duringCut = Poll.during(PARTITION, () -> timed("/a"));
    duringCut.addAll(Poll.during(Duration.ofSeconds(2), () -> timed("/z")));
    dockerHosts.started().heal("b");
    long healed = System.nanoTime();
    Poll.until("/z and both first replicas answering again", MERGE_BOUND,
      () -> new Served(get("/z"), firstReplicasOverTenRequests()),
      served -> served.z().status() == 200 && served.firstReplicas().size() == 2);
    System.out.printf("MultiHostIT: healed to /a and /z served by all replicas: %d ms%n", elapsedMs(healed));

    assertThat(duringCut).allSatisfy(request -> assertThat(request.elapsed()).as(request.toString())
      .isLessThan(REQUEST_TIMEOUT.plus(Duration.ofSeconds(1))));
    assertThat(duringCut).filteredOn(request -> request.response().status() == 200).as("/a served on host A")
      .isNotEmpty().allSatisfy(request -> assertThat(request.response().body()).isEqualTo("First"));
    List<Http.Response> afterMerge = IntStream.range(0, 40).mapToObj(i -> get(i % 2 == 0 ? "/a" : "/z")).toList();
    assertThat(afterMerge).allSatisfy(response -> {
      assertThat(response.status()).as(response.toString()).isEqualTo(200);
      assertThat(response.attempts()).as("attempts of " + response).isEqualTo(1);
    });
  }

  /** What the cluster serves while it merges: shown as the last value when it does not heal in time. */
  private record Served(Http.Response z, Set<String> firstReplicas) {
  }

  /** Who answered ten requests to /a. */
  private Set<String> firstReplicasOverTenRequests() {
    return IntStream.range(0, 10).mapToObj(i -> get("/a")).filter(response -> response.status() == 200)
      .map(Http.Response::servedBy).collect(Collectors.toSet());
  }

  /** A response and how long the client waited for it. */
  private record Timed(Http.Response response, Duration elapsed) {
  }

  private Timed timed(String path) {
    long start = System.nanoTime();
    Http.Response response = get(path);
    return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
  }

  @Test
  @Order(6)
  @DisplayName("negative control: on BERTH_ADVERTISE=none every node advertises an address private to its host; host"
    + " A's gateway is let in through host B's seed, but never serves /z")
  void withoutAdvertisingNoWorkingCluster() {
    removeDeployment();
    String cluster = "mh-" + UUID.randomUUID();
    onB = node(hostB, "host-b.env", cluster, "none");
    onA = node(hostA, "host-a.env", cluster, "none").env("BERTH_MANAGEMENT_PUBLISH", "9345:9345");
    carryCertificates(onB, onA);
    onB.run("up", "-d", "--no-build", "worker-first", "worker-second");
    for (String service : List.of("worker-first", "worker-second")) {
      String container = onB.containers(service).get(0);
      Poll.until(service + " on host B healthy", FORMATION_BOUND, () -> health(hostB, container), "healthy"::equals);
    }
    onA.run("up", "-d", "--no-build", "gateway");
    String gateway = onA.containers("gateway").get(0);
    // Let in through host B's seed, the gateway either starts, unable to reach host B's workers, or gives up a join it
    // cannot complete: runs here have shown both.
    Poll.until("the gateway serving, or giving up its join", JOIN_BOUND.plus(FORMATION_BOUND),
      () -> gaveUpJoin(gateway) || "healthy".equals(health(hostA, gateway)), Boolean.TRUE::equals);

    if (gaveUpJoin(gateway)) {
      assertThat(hostA.logs(gateway)).as("why the gateway gave up").contains("cannot reach member(s) ");
      return;
    }
    List<Integer> statuses = Poll.during(UNAVAILABLE_BOUND, () -> get("/z").status());
    assertThat(statuses).as("the gateway's answers to /z over " + UNAVAILABLE_BOUND + ": it serves, but reaches no"
      + " worker").isNotEmpty().allSatisfy(status -> assertThat(status).isIn(503, 504));
  }

  private boolean gaveUpJoin(String gateway) {
    return hostA.logs(gateway).contains("berth: the node did not join");
  }

  private static String health(DockerHosts.Host host, String container) {
    InspectContainerResponse.ContainerState state = host.client().inspectContainerCmd(container).exec().getState();
    return state.getHealth() == null ? "starting" : state.getHealth().getStatus();
  }

  /** Both hosts as docs/multi-host.md deploys them, with the test network's addresses in place of the examples. */
  private void deploy(String advertise) {
    removeDeployment();
    String cluster = "mh-" + UUID.randomUUID();
    onA = node(hostA, "host-a.env", cluster, advertise).env("BERTH_MANAGEMENT_PUBLISH", "9345:9345");
    onB = node(hostB, "host-b.env", cluster, advertise);
    carryCertificates(onA, onB);
    onA.run("up", "-d", "--no-build", "gateway", "worker-first");
    onB.run("up", "-d", "--no-build", "worker-first", "worker-second");
  }

  /** Each test that deploys starts from hosts without berth's containers, whichever tests ran before it. */
  private void removeDeployment() {
    for (ComposeProject project : Stream.of(onA, onB).filter(Objects::nonNull).toList()) {
      project.close();
    }
  }

  /**
   * As docs/multi-host.md says: the certificates made on one host, not the authority's key, copied into the other
   * host's certs volume before its nodes start.
   */
  private static void carryCertificates(ComposeProject from, ComposeProject to) {
    from.run("run", "--rm", "certs");
    Docker.run(List.of("bash", "-o", "pipefail", "-c",
      from.shellCommand("run", "--rm", "-T", "--entrypoint", "tar", "certs", "-C", "/opt/berth/certs", "-c", ".")
        + " | " + to.shellCommand("run", "--rm", "-T", "--entrypoint", "tar", "certs", "-C", "/opt/berth/certs", "-x")),
      Duration.ofMinutes(2));
  }

  private ComposeProject node(DockerHosts.Host host, String envFile, String cluster, String advertise) {
    String seeds = hostA.ip() + ":5701," + hostB.ip() + ":5701";
    return host.compose(MultiHostIT.class).option("--env-file", "docker/multi-host/" + envFile).env("BERTH_IMAGE", BerthImage.tag())
      .env("BERTH_HOST_IP", host.ip()).env("BERTH_CLUSTER_MEMBERS", seeds).env("BERTH_CLUSTER_NAME", cluster)
      .env("BERTH_ADVERTISE", advertise);
  }

  private void assertAdvertisesItsHost(Map<String, JsonObject> members, DockerHosts.Host host, ComposeProject project,
                                       List<String> services) {
    DockerClient docker = host.client();
    for (String service : services) {
      String container = project.containers(service).get(0);
      JsonObject member = members.get(Docker.shortId(container));
      assertThat(member).as(service + " on host " + host.name() + " in /cluster").isNotNull();
      assertThat(member.getString("hazelcast")).isEqualTo(host.ip() + ":" + published(docker, container, 5701));
      assertThat(member.getString("eventBus")).isEqualTo(host.ip() + ":" + published(docker, container, 5710));
    }
  }

  private Http.Response get(String path) {
    return Http.get("http://" + hostA.ip() + ":2345" + path);
  }

  private Map<String, JsonObject> members() {
    return Members.of(managementUrl());
  }

  private String managementUrl() {
    return "http://" + hostA.ip() + ":9345";
  }

  /** Opens a TCP connection from inside a container, bounded to 3 s; 0 when it connected. */
  private int connect(String containerOnB, String ip, int port) {
    return Docker.execute(List.of("docker", "-H", hostB.dockerHost(), "exec", containerOnB, "timeout", "3", "bash", "-c",
      "exec 3<>/dev/tcp/" + ip + "/" + port), Map.of(), Duration.ofSeconds(20)).exitCode();
  }

  private static int published(DockerClient docker, String container, int port) {
    return Docker.publishedPort(docker.inspectContainerCmd(container).exec(), port);
  }

  private static long elapsedMs(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }
}
