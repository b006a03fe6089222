package dev.berth;

import dev.berth.testing.BackgroundLoad;
import dev.berth.testing.BerthImage;
import dev.berth.testing.Docker;
import dev.berth.testing.DockerHosts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/swarm as a user runs it, on a real Swarm of two simulated Docker hosts (network namespaces with a dockerd
 * each, as {@code MultiHostIT} has them): {@code docker swarm init} on host A, {@code join} on host B, the secrets made
 * by deploy/swarm/secrets.sh, the stack deployed by deploy/swarm/deploy.sh over the overlay network (its image on
 * each host and in no registry, so that Swarm does not look for its digest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class SwarmIT {

  private static final Duration FORMATION_BOUND = Duration.ofSeconds(180);
  private static final List<String> SECRETS = List.of("berth-ca.pem", "berth-gateway.pem", "berth-gateway-key.pem",
    "berth-worker-first.pem", "berth-worker-first-key.pem", "berth-worker-second.pem", "berth-worker-second-key.pem");

  private final Path logs = ItLogs.directory(SwarmIT.class);
  private DockerHosts hosts;
  private DockerHosts.Host manager;
  private DockerHosts.Host worker;

  @BeforeAll
  void formSwarm() {
    hosts = DockerHosts.start(BerthImage.tag(), "a", "b");
    manager = hosts.host("a");
    worker = hosts.host("b");
    docker(manager, "swarm", "init", "--advertise-addr", manager.ip());
    String token = docker(manager, "swarm", "join-token", "-q", "worker").strip();
    docker(worker, "swarm", "join", "--advertise-addr", worker.ip(), "--token", token, manager.ip() + ":2377");
  }

  @AfterEach
  void keepLogs(TestInfo test) {
    hosts.saveLogs(ItLogs.directory(SwarmIT.class, test.getTestMethod().orElseThrow().getName()));
  }

  @AfterAll
  void removeHosts() {
    if (hosts != null) {
      hosts.close();
    }
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
  @DisplayName("deployed with its secrets over the overlay network: one TLS cluster of six proven members (a gateway"
    + " on each host, two replicas of each worker) on both hosts, /a and /z answered")
  void stackServes() {
    Docker.Outcome secrets = script("deploy/swarm/secrets.sh", logs.resolve("certs").toString());
    assertThat(secrets.exitCode()).as(secrets.output()).isZero();
    long start = System.nanoTime();
    Docker.Outcome deployed = script("deploy/swarm/deploy.sh");
    assertThat(deployed.exitCode()).as(deployed.output()).isZero();

    String gateway = gatewayUrl();
    Poll.until("the gateway answering /apple", FORMATION_BOUND, () -> Http.get(gateway + "/apple").status(),
      status -> status == 200);
    System.out.printf("SwarmIT: docker stack deploy to /apple answered: %d ms%n",
      Duration.ofNanos(System.nanoTime() - start).toMillis());
    List<JsonObject> members = Poll.until("six proven members", FORMATION_BOUND, this::members,
      found -> found.size() == 6 && found.stream().allMatch(member -> member.getBoolean("proven", false))).value();

    assertThat(Http.get(gateway + "/apple").body()).isEqualTo("First");
    assertThat(Poll.until("/zebra answered", FORMATION_BOUND, () -> Http.get(gateway + "/zebra"),
      response -> response.status() == 200).value().body()).isEqualTo("Second");
    assertThat(members).extracting(member -> member.getString("name")).hasSize(6);
    assertThat(List.of(manager, worker)).as("hosts running the stack's tasks")
      .allSatisfy(host -> assertThat(containers(host, "berth")).isNotEmpty());
  }

  @Test
  @Order(3)
  @DisplayName("under steady load, a rolling update of worker-first to a new tag of the image loses no request")
  void rollingUpdateLosesNothing() {
    for (DockerHosts.Host host : List.of(manager, worker)) {
      docker(host, "tag", BerthImage.tag(), BerthImage.tag() + "-next");
    }
    Map<String, Long> answers = underLoad("a rolling update of worker-first", () ->
      docker(manager, "service", "update", "--detach=false", "--no-resolve-image", "--image",
        BerthImage.tag() + "-next", "berth_worker-first"));

    assertThat(docker(manager, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
      "berth_worker-first")).startsWith(BerthImage.tag() + "-next");
    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
  }

  @Test
  @Order(4)
  @DisplayName("under steady load, host B drained (its tasks move to host A) and made active again loses no request")
  void drainLosesNothing() {
    String nodeB = docker(worker, "info", "--format", "{{.Swarm.NodeID}}").strip();

    Map<String, Long> answers = underLoad("host B drained", () -> {
      docker(manager, "node", "update", "--availability", "drain", nodeB);
      Poll.until("no task of the stack left on host B", FORMATION_BOUND, () -> containers(worker, "berth"),
        List::isEmpty);
      Poll.until("the workers' replicas running on host A", FORMATION_BOUND, () -> containers(manager, "berth").size(),
        running -> running >= 5);
      docker(manager, "node", "update", "--availability", "active", nodeB);
    });

    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
  }

  @Test
  @Order(5)
  @DisplayName("under steady load, worker-first scaled to 4 replicas and back to 2 loses no request")
  void scaleLosesNothing() {
    Map<String, Long> answers = underLoad("worker-first scaled up and down", () -> {
      docker(manager, "service", "scale", "--detach=false", "berth_worker-first=4");
      docker(manager, "service", "scale", "--detach=false", "berth_worker-first=2");
    });

    assertThat(answers).as("answers under load").allSatisfy((answer, count) -> assertThat(answer).startsWith("200 "));
  }

  /** Runs an operation under steady load on host A's gateway; the answers it got, "200 from …" → how many. */
  private Map<String, Long> underLoad(String operation, Runnable change) {
    long start = System.nanoTime();
    try (BackgroundLoad load = BackgroundLoad.on(gatewayUrl())) {
      Poll.until("load answered", FORMATION_BOUND, () -> load.answers().values().stream().mapToLong(Long::longValue)
        .sum(), answered -> answered >= 10);
      change.run();
      load.close();
      System.out.printf("SwarmIT: %s under load: %d ms, answers %s%n", operation,
        Duration.ofNanos(System.nanoTime() - start).toMillis(), load.answers());
      return load.answers();
    }
  }

  /** Host A's gateway: every node of the Swarm runs one, its port published there. */
  private String gatewayUrl() {
    return "http://" + manager.ip() + ":2345";
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
      "BERTH_IMAGE", BerthImage.tag(), "BERTH_RESOLVE_IMAGE", "never"), Duration.ofMinutes(3));
  }

  private static String docker(DockerHosts.Host host, String... arguments) {
    List<String> command = new ArrayList<>(List.of("docker", "-H", host.dockerHost()));
    command.addAll(List.of(arguments));
    return Docker.run(command, Duration.ofMinutes(2));
  }
}
