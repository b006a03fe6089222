package dev.berth;

import dev.berth.testing.BackgroundLoad;
import dev.berth.testing.BerthImage;
import dev.berth.testing.Docker;
import dev.berth.testing.DockerHosts;
import dev.berth.testing.DockerHostsExtension;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
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
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/swarm as a user runs it, on a real Swarm of two simulated Docker hosts (network namespaces with a dockerd
 * each, as {@code MultiHostIT} has them): {@code docker swarm init} on host A, {@code join} on host B, the secrets made
 * by deploy/swarm/secrets.sh, the stack deployed by deploy/swarm/deploy.sh (its images on each host and in no registry,
 * so that Swarm does not look for their digests): first over the overlay network with the polyglot workers, then over
 * host-mode published ports with VXLAN dropped between the hosts. It runs alone: beside the other tests on 2 cores it
 * took 518 s instead of 333, slowed them as much (a revoked node's drain ran out of time), and CI took no less.
 */
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class SwarmIT {

  private static final Duration FORMATION_BOUND = Duration.ofSeconds(180);
  // Three tasks changed one at a time, each allowed the healthcheck's 60 s start period, watched 5 s, 5 s apart.
  private static final Duration SWARM_CHANGE_BOUND = Duration.ofMinutes(4);
  private static final List<String> SECRETS = List.of("berth-ca.pem", "berth-gateway.pem", "berth-gateway-key.pem",
    "berth-worker-first.pem", "berth-worker-first-key.pem", "berth-worker-second.pem", "berth-worker-second-key.pem");

  private final Path logs = ItLogs.directory(SwarmIT.class);
  @RegisterExtension
  final DockerHostsExtension dockerHosts = new DockerHostsExtension(() -> List.of(BerthImage.tag(),
    BerthImage.PYTHON_WORKER.built(), BerthImage.NODE_WORKER.built(), BerthImage.GO_WORKER.built()), "a", "b");
  private DockerHosts.Host manager;
  private DockerHosts.Host worker;

  @BeforeAll
  void formSwarm() {
    manager = dockerHosts.started().host("a");
    worker = dockerHosts.started().host("b");
    docker(manager, "swarm", "init", "--advertise-addr", manager.ip());
    String token = docker(manager, "swarm", "join-token", "-q", "worker").strip();
    docker(worker, "swarm", "join", "--advertise-addr", worker.ip(), "--token", token, manager.ip() + ":2377");
  }

  @Test
  @Order(1)
  @DisplayName("without the secrets, deploy.sh names each missing one on a line, exits 78, and deploys nothing")
  void missingSecretsDeployNothing() {
    Docker.Outcome refused = script("deploy/swarm/deploy.sh");

    assertThat(refused.exitCode()).isEqualTo(78);
    assertThat(refused.output().lines().toList()).containsExactlyElementsOf(SECRETS.stream()
      .map(secret -> "berth: the Swarm secret " + secret + " is missing: make the secrets with deploy/swarm/secrets.sh")
      .toList());
    assertThat(docker(manager, "service", "ls", "-q")).isBlank();
  }

  @Test
  @Order(2)
  @DisplayName("deployed with its secrets over the overlay network, polyglot workers included: one TLS cluster of nine"
    + " proven members (a gateway on each host, three replicas of each worker, the bridge) on both hosts, advertising"
    + " their overlay addresses, every address answered, from Java, Python, Node.js and Go; each Java worker looked for a"
    + " seed until a gateway served, and joined it instead of founding a cluster of its own")
  void overlayStackServes() {
    Docker.Outcome secrets = script("deploy/swarm/secrets.sh", certs().toString());
    assertThat(secrets.exitCode()).as(secrets.output()).isZero();
    long start = System.nanoTime();
    Docker.Outcome deployed = script("deploy/swarm/deploy.sh", "--polyglot");
    assertThat(deployed.exitCode()).as(deployed.output()).isZero();

    String gateway = gatewayUrl(manager);
    Poll.until("the gateway answering /apple", FORMATION_BOUND, () -> Http.get(gateway + "/apple").status(),
      status -> status == 200);
    System.out.printf("SwarmIT: docker stack deploy (overlay) to /apple answered: %d ms%n",
      Duration.ofNanos(System.nanoTime() - start).toMillis());
    List<JsonObject> members = provenMembers(9);

    assertThat(Http.get(gateway + "/apple").body()).isEqualTo("First");
    assertThat(answered(worker, "/orange", "Second")).isEqualTo("Second");
    assertThat(answered(worker, "/zebra", "Hello from Python worker")).endsWith(": GET /zebra");
    assertThat(answered(manager, "/nut", "Hello from Node.js worker")).endsWith(": GET /nut");
    assertThat(answered(manager, "/gopher", "Hello from Go worker")).endsWith(": GET /gopher");
    assertThat(members).extracting(member -> member.getString("hazelcast")).allSatisfy(address ->
      assertThat(address).as("advertised on the overlay network").startsWith("10.77."));
    assertThat(List.of(manager, worker)).as("hosts running the stack's tasks")
      .allSatisfy(host -> assertThat(containers(host, "berth")).isNotEmpty());
    Map<String, String> javaWorkerLogs = new TreeMap<>();
    for (DockerHosts.Host host : List.of(manager, worker)) {
      for (String service : List.of("berth_worker-first", "berth_worker-second", "berth_worker-bridge")) {
        containers(host, service).forEach(task -> javaWorkerLogs.put(service + " " + task, host.logs(task)));
      }
    }
    System.out.printf("SwarmIT: the overlay stack formed with %d merge(s) of a split cluster%n", List.of(manager, worker)
      .stream().flatMap(host -> containers(host, "berth").stream().map(host::logs))
      .mapToLong(log -> log.lines().filter(line -> line.contains("merging into the cluster of")).count()).sum());
    assertThat(javaWorkerLogs).hasSize(7).allSatisfy((task, log) -> assertThat(log).as(task)
      .contains(": joining its cluster").doesNotContain("reached no seed"));
  }

  @Test
  @Order(3)
  @DisplayName("under steady load, a rolling update of worker-first to a new tag of the image loses no request")
  void rollingUpdateLosesNothing() {
    for (DockerHosts.Host host : List.of(manager, worker)) {
      docker(host, "tag", BerthImage.tag(), BerthImage.tag() + "-next");
    }
    Map<String, Long> answers = underLoad("a rolling update of worker-first", () ->
      updateService("berth_worker-first", "--no-resolve-image", "--image", BerthImage.tag() + "-next"));

    assertThat(docker(manager, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
      "berth_worker-first")).startsWith(BerthImage.tag() + "-next");
    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
    provenMembers(9);  // one cluster again: replacing the Hazelcast master split it when the next claim cut members off
  }

  @Test
  @Order(4)
  @DisplayName("under steady load, host B drained (its tasks move to host A) and made active again loses no request")
  void drainLosesNothing() {
    String nodeB = docker(worker, "info", "--format", "{{.Swarm.NodeID}}").strip();

    Map<String, Long> answers = underLoad("host B drained", () -> {
      setAvailability(nodeB, "drain");
      try {
        Poll.until("no task of the stack left on host B", FORMATION_BOUND, () -> containers(worker, "berth"),
          List::isEmpty);
        provenMembers(8);  // the workers and the bridge whole again on host A; no gateway on a drained host
      } finally {
        setAvailability(nodeB, "active");
      }
    });

    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
  }

  @Test
  @Order(5)
  @DisplayName("under steady load, worker-first scaled to 5 replicas and back to 3 loses no request")
  void scaleLosesNothing() {
    Map<String, Long> answers = underLoad("worker-first scaled up and down", () -> {
      scaleService("berth_worker-first", 5);
      scaleService("berth_worker-first", 3);
    });

    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
  }

  @Test
  @Order(6)
  @DisplayName("deployed again over host-mode published ports, with VXLAN dropped between the hosts: eight proven"
    + " members advertising their host's address and published ports, /a and /z answered on both hosts")
  void publishedPortsStackServes() {
    // docker stack rm removes the network before the tasks have stopped and then gives up on it: ask again until gone.
    Poll.until("the overlay stack gone", FORMATION_BOUND, () -> {
      Docker.execute(List.of("docker", "-H", manager.dockerHost(), "stack", "rm", "berth"), Map.of(),
        Duration.ofMinutes(1));
      return List.of(manager, worker).stream().mapToLong(host -> containers(host, "berth").size() + docker(host,
        "network", "ls", "-q", "--filter", "label=com.docker.stack.namespace=berth").lines().count()).sum();
    }, left -> left == 0);
    for (DockerHosts.Host host : List.of(manager, worker)) {
      dockerHosts.started().drop(host.name(), "udp", 4789);
    }
    long start = System.nanoTime();
    Docker.Outcome deployed = script("deploy/swarm/deploy.sh", "--published-ports");
    assertThat(deployed.exitCode()).as(deployed.output()).isZero();

    Poll.until("host A's gateway answering /apple", FORMATION_BOUND,
      () -> Http.get(gatewayUrl(manager) + "/apple").status(), status -> status == 200);
    System.out.printf("SwarmIT: docker stack deploy (published ports) to /apple answered: %d ms%n",
      Duration.ofNanos(System.nanoTime() - start).toMillis());
    List<JsonObject> members = provenMembers(8);

    assertThat(answered(worker, "/apple", "First")).isEqualTo("First");
    assertThat(answered(manager, "/zebra", "Second")).isEqualTo("Second");
    assertThat(answered(worker, "/zebra", "Second")).isEqualTo("Second");
    assertThat(members).allSatisfy(member -> {
      assertThat(member.getString("advertise")).isEqualTo("docker");
      assertThat(List.of(manager.ip(), worker.ip())).as("the host of " + member)
        .contains(member.getString("hazelcast").split(":")[0], member.getString("eventBus").split(":")[0]);
    });
  }

  @Test
  @Order(7)
  @DisplayName("under steady load, deploy/swarm/rotate.sh gives worker-second a new certificate from the same authority"
    + " and loses no request; its nodes are proven members again")
  void rotationLosesNothing() {
    String before = secretIn("berth_worker-second", "berth-worker-second.pem");

    Map<String, Long> answers = underLoad("worker-second's certificate rotated", () -> {
      Docker.Outcome rotated = script("deploy/swarm/rotate.sh", "worker-second", certs().toString());
      assertThat(rotated.exitCode()).as(rotated.output()).isZero();
    });

    String issued = read(certs().resolve("worker-second.pem"));
    assertThat(issued).isNotEqualTo(before);
    assertThat(secretIn("berth_worker-second", "berth-worker-second.pem")).isEqualTo(issued);
    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
    provenMembers(8);
  }

  private void updateService(String service, String... options) {
    List<String> arguments = new ArrayList<>(List.of(options));
    arguments.add(service);
    changeService(service, "update", arguments);
  }

  private void scaleService(String service, int replicas) {
    changeService(service, "scale", List.of(service + "=" + replicas));
  }

  /**
   * Runs {@code docker service <verb> --detach=false <arguments>}, a change of the service, on the manager and waits
   * for Swarm to finish it; past the bound, fails with the service's tasks and its update's status, which say where it
   * stuck.
   */
  private void changeService(String service, String verb, List<String> arguments) {
    List<String> command = new ArrayList<>(List.of("docker", "-H", manager.dockerHost(), "service", verb,
      "--detach=false"));
    command.addAll(arguments);
    try {
      Docker.run(command, SWARM_CHANGE_BOUND);
    } catch (AssertionError stuck) {
      String tasks = docker(manager, "service", "ps", "--no-trunc", "--format",
        "{{.Name}} {{.Image}}: desired {{.DesiredState}}, {{.CurrentState}} {{.Error}}", service);
      String update = docker(manager, "service", "inspect", "--format", "{{json .UpdateStatus}}", service);
      throw new AssertionError(stuck.getMessage() + "\nthe tasks of " + service + ":\n" + tasks + "its update: "
        + update);
    }
  }

  /**
   * Sets a Swarm node's availability, asking again while the manager answers "update out of sequence": the node's
   * version moved between the CLI's read and its write (its tasks were changing), so the update was not applied.
   */
  private void setAvailability(String node, String availability) {
    Poll.until("node " + node + " " + availability, FORMATION_BOUND, () -> {
      Docker.execute(List.of("docker", "-H", manager.dockerHost(), "node", "update", "--availability", availability,
        node), Map.of(), Duration.ofMinutes(1));
      return docker(manager, "node", "inspect", "--format", "{{.Spec.Availability}}", node).strip();
    }, availability::equals);
  }

  /**
   * The members once there are that many, each proven and described: a merge can leave a member's node info out of the
   * registry for a moment, until that node puts it back, and the view then lists the member by id only.
   */
  private List<JsonObject> provenMembers(int count) {
    return Poll.until(count + " proven, described members", FORMATION_BOUND, this::members,
      found -> found.size() == count && found.stream()
        .allMatch(member -> member.getBoolean("proven", false) && member.getString("name") != null)).value();
  }

  /** The body of a 200 from the path on the host's gateway that starts as expected, once one comes. */
  private String answered(DockerHosts.Host host, String path, String start) {
    return Poll.until(path + " answered on host " + host.name() + " with " + start, FORMATION_BOUND,
      () -> Http.get(gatewayUrl(host) + path),
      response -> response.status() == 200 && response.body().startsWith(start)).value().body();
  }

  /** The secret as every task Swarm keeps running for the service holds it; a replaced task may still be draining. */
  private String secretIn(String service, String secret) {
    Set<String> wanted = Set.copyOf(docker(manager, "service", "ps", "-q", "--no-trunc", "--filter",
      "desired-state=running", service).lines().toList());
    List<String> seen = new ArrayList<>();
    for (DockerHosts.Host host : List.of(manager, worker)) {
      docker(host, "ps", "--filter", "label=com.docker.swarm.service.name=" + service, "--format",
        "{{.ID}} {{.Label \"com.docker.swarm.task.id\"}}").lines().map(line -> line.split(" "))
        .filter(container -> wanted.contains(container[1]))
        .forEach(container -> seen.add(docker(host, "exec", container[0], "cat", "/run/secrets/" + secret)));
    }
    assertThat(seen).as(secret + " in the tasks of " + service).isNotEmpty().containsOnly(seen.get(0));
    return seen.get(0);
  }

  private Path certs() {
    return logs.resolve("certs");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs an operation under steady load on host A's gateway; the answers it got, "200 from …" → how many. */
  private Map<String, Long> underLoad(String operation, Runnable change) {
    long start = System.nanoTime();
    try (BackgroundLoad load = BackgroundLoad.on(gatewayUrl(manager))) {
      Poll.until("load answered", FORMATION_BOUND, () -> load.answers().values().stream().mapToLong(Long::longValue)
        .sum(), answered -> answered >= 10);
      change.run();
      load.close();
      System.out.printf("SwarmIT: %s under load: %d ms, %d requests, longest wait %d ms, answers %s%n", operation,
        Duration.ofNanos(System.nanoTime() - start).toMillis(), load.answers().values().stream()
          .mapToLong(Long::longValue).sum(), load.longestWait().toMillis(), load.answers());
      return load.answers();
    }
  }

  /** A host's gateway: every node of the Swarm runs one, its port published there. */
  private static String gatewayUrl(DockerHosts.Host host) {
    return "http://" + host.ip() + ":2345";
  }

  /** The running containers of a stack ({@code berth}) or of one service ({@code berth_gateway}) on a host. */
  private static List<String> containers(DockerHosts.Host host, String stackOrService) {
    String label = stackOrService.contains("_") ? "com.docker.swarm.service.name" : "com.docker.stack.namespace";
    return docker(host, "ps", "-q", "--filter", "label=" + label + "=" + stackOrService).lines().toList();
  }

  /** The members as the gateway's GET /cluster lists them, read inside its container: no port of it is published. */
  private List<JsonObject> members() {
    for (DockerHosts.Host host : List.of(manager, worker)) {
      List<String> gateways = containers(host, "berth_gateway");
      if (!gateways.isEmpty()) {
        String container = gateways.get(0);
        String response = docker(host, "exec", container, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9345;"
          + " printf 'GET /cluster HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        return new JsonObject(body).getJsonArray("members").stream().map(JsonObject.class::cast).toList();
      }
    }
    return List.of();
  }

  /** A deploy/swarm script run against the manager's daemon, as a user on the manager runs it. */
  private Docker.Outcome script(String... command) {
    return Docker.execute(List.of(command), Map.of("DOCKER_HOST", manager.dockerHost(),
      "BERTH_IMAGE", BerthImage.tag(), "BERTH_PYTHON_WORKER_IMAGE", BerthImage.PYTHON_WORKER.built(),
      "BERTH_NODE_WORKER_IMAGE", BerthImage.NODE_WORKER.built(), "BERTH_GO_WORKER_IMAGE", BerthImage.GO_WORKER.built(),
      "BERTH_RESOLVE_IMAGE", "never"), SWARM_CHANGE_BOUND);
  }

  private static String docker(DockerHosts.Host host, String... arguments) {
    List<String> command = new ArrayList<>(List.of("docker", "-H", host.dockerHost()));
    command.addAll(List.of(arguments));
    return Docker.run(command, Duration.ofMinutes(2));
  }
}
