package dev.berth;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.testing.BerthImage;
import dev.berth.testing.ComposeProject;
import dev.berth.testing.Docker;
import dev.berth.testing.Http;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import dev.berth.testing.PrometheusText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's docker-compose.yml as a user runs it, through the compose CLI against the real daemon: up, route,
 * list the cluster, scale a worker, stop gracefully, leave nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class ComposeIT {

  private static final Duration HEALTHY_BOUND = Duration.ofSeconds(90);
  private static final Duration STOP_BOUND = Duration.ofSeconds(15);
  private static final List<String> SERVICES = List.of("gateway", "worker-first", "worker-second");
  private static final int LOAD_CLIENTS = 8;

  private final ComposeProject stack = new ComposeProject(ComposeIT.class);
  private int httpPort;
  private int managementPort;

  @BeforeAll
  void upWithTheTestPortsAndTheAccessLog() {
    stack.env("BERTH_IMAGE", BerthImage.tag())
      // Random host ports, so that the test runs beside anything listening on 2345 or 9345.
      .env("BERTH_HTTP_PUBLISH", "2345").env("BERTH_MANAGEMENT_PUBLISH", "127.0.0.1::9345")
      .env("BERTH_ACCESS_LOG", "true");
    long start = System.nanoTime();
    stack.run("up", "-d", "--no-build");
    InspectContainerResponse gateway = Docker.client().inspectContainerCmd(stack.containers("gateway").get(0)).exec();
    httpPort = Docker.publishedPort(gateway, 2345);
    managementPort = Docker.publishedPort(gateway, 9345);
    Poll.Result<Http.Response> first = Poll.until("First through the stack", HEALTHY_BOUND, () -> get("/a"),
      response -> response.status() == 200);
    System.out.printf("ComposeIT: compose up to the first First: %d ms%n", Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertThat(first.value().body()).isEqualTo("First");
  }

  @AfterAll
  void down() {
    stack.close();
  }

  @Test
  @Order(1)
  @DisplayName("/a is answered by worker-first, /z by worker-second, /1 gets a 404 JSON error; with BERTH_ACCESS_LOG=true,"
    + " each is a line of the gateway's log")
  void routes() {
    Http.Response a = get("/a");
    Http.Response z = Poll.until("Second through the stack", HEALTHY_BOUND, () -> get("/z"),
      response -> response.status() == 200).value();
    Http.Response digit = get("/1");

    assertThat(a.body()).isEqualTo("First");
    assertThat(a.servedBy()).isEqualTo(Docker.shortId(stack.containers("worker-first").get(0)));
    assertThat(z.body()).isEqualTo("Second");
    assertThat(z.servedBy()).isEqualTo(Docker.shortId(stack.containers("worker-second").get(0)));
    assertThat(digit.status()).isEqualTo(404);
    assertThat(digit.json()).isEqualTo(new JsonObject().put("status", 404).put("error", "no route for '/1'").put("path", "/1"));
    Poll.until("the gateway's access log line of /1", HEALTHY_BOUND,
      () -> Docker.run(List.of("docker", "logs", stack.containers("gateway").get(0)), STOP_BOUND),
      logs -> logs.contains(" path=\"/1\" version=http/1.1 status=404 "));
  }

  @Test
  @Order(2)
  @DisplayName("/cluster lists the three nodes, each advertising the host ports Docker published for it")
  void clusterAdvertisesPublishedPorts() {
    Map<String, JsonObject> members = Poll.until("three members", HEALTHY_BOUND, this::members, found -> found.size() == 3)
      .value();

    for (String service : SERVICES) {
      InspectContainerResponse container = Docker.client().inspectContainerCmd(stack.containers(service).get(0)).exec();
      JsonObject member = members.get(container.getConfig().getHostName());
      assertThat(member).as(service + " in /cluster").isNotNull();
      String bridgeGateway = container.getNetworkSettings().getNetworks().values().iterator().next().getGateway();
      assertThat(member.getString("advertise")).isEqualTo("docker");
      assertThat(member.getString("hazelcast")).isEqualTo(bridgeGateway + ":" + Docker.publishedPort(container, 5701));
      assertThat(member.getString("eventBus")).isEqualTo(bridgeGateway + ":" + Docker.publishedPort(container, 5710));
    }
  }

  @Test
  @Order(2)
  @DisplayName("secure by default: mutual TLS on the event bus, every member proven, the authority's key on no node")
  void secureByDefault() {
    Poll.until("every member proven", HEALTHY_BOUND, this::members,
      found -> found.size() == 3 && found.values().stream().allMatch(member -> member.getBoolean("proven", false)));

    assertThat(Http.get("http://127.0.0.1:" + managementPort + "/cluster").json().getBoolean("tls")).isTrue();
    for (String service : SERVICES) {
      String container = stack.containers(service).get(0);
      String certificates = Docker.run(List.of("docker", "exec", container, "ls", "/opt/berth/certs"), STOP_BOUND);
      assertThat(certificates.lines()).as(service + "'s certificates").contains("ca.pem", service + ".pem",
        service + "-key.pem").doesNotContain("ca-key.pem");
      assertThat(Docker.run(List.of("docker", "logs", container), STOP_BOUND))
        .contains("event bus mutual TLS as CN=" + service + ", only proven members join and get requests");
    }
  }

  @Test
  @Order(3)
  @DisplayName("scaled to three replicas, worker-first shares /a among all of them")
  void scaledWorkersShareTheLoad() {
    stack.run("up", "-d", "--no-build", "--scale", "worker-first=3");
    // A replica is a member some seconds before it consumes, and the gateway greets it before it routes to it.
    Poll.until("three consumers of first at the gateway, none passed over", HEALTHY_BOUND,
      () -> Http.get("http://127.0.0.1:" + managementPort + "/cluster").json(),
      view -> view.getJsonObject("consumers", new JsonObject()).getJsonArray("first", new JsonArray()).size() == 3
        && view.getJsonArray("passedOver", new JsonArray()).isEmpty());
    List<String> replicas = stack.containers("worker-first").stream().map(Docker::shortId).toList();

    Map<String, Long> answersPerReplica = java.util.stream.IntStream.range(0, 60).mapToObj(i -> get("/a"))
      .peek(response -> assertThat(response.body()).isEqualTo("First"))
      .collect(Collectors.groupingBy(Http.Response::servedBy, Collectors.counting()));

    assertThat(replicas).hasSize(3);
    assertThat(answersPerReplica).as(this::whatTheGatewaySaw).satisfies(
      answers -> assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(replicas),
      answers -> assertThat(answers.values()).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(10)));
  }

  /** For a failure's message: how the gateway routed, so that an uneven share can be told from a lost replica. */
  private String whatTheGatewaySaw() {
    JsonObject view = Http.get("http://127.0.0.1:" + managementPort + "/cluster").json();
    return "answers per replica; the gateway's consumers " + view.getJsonObject("consumers") + ", passed over "
      + view.getJsonArray("passedOver") + ", retries of first " + retriesOfFirstByReason();
  }

  @Test
  @Order(4)
  @DisplayName("docker stop of one of the three worker-first replicas under steady load loses no request, and the"
    + " gateway never has to move one: the replica drains before it leaves")
  void replicaStoppedUnderLoad() throws Exception {
    String stopped = stack.containers("worker-first").get(0);
    Map<String, Double> retriesBefore = retriesOfFirstByReason();
    AtomicBoolean loading = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(LOAD_CLIENTS);
    List<Future<List<Long>>> waits = new ArrayList<>();
    List<Http.Response> failed = new CopyOnWriteArrayList<>();
    AtomicInteger answered = new AtomicInteger();
    for (int i = 0; i < LOAD_CLIENTS; i++) {
      waits.add(clients.submit(() -> {
        List<Long> waitsMs = new ArrayList<>();
        while (loading.get()) {
          long start = System.nanoTime();
          Http.Response response = get("/a");
          waitsMs.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
          answered.incrementAndGet();
          if (response.status() != 200) {
            failed.add(response);
          }
        }
        return waitsMs;
      }));
    }
    Poll.until("the load under way", HEALTHY_BOUND, answered::get, count -> count >= 200);
    Docker.client().stopContainerCmd(stopped).withTimeout(20).exec();
    int atStop = answered.get();
    Poll.until("the load going on after the stop", HEALTHY_BOUND, answered::get, count -> count >= atStop + 200);
    loading.set(false);
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> client : waits) {
      all.addAll(client.get(30, TimeUnit.SECONDS));
    }
    clients.shutdown();
    Map<String, Double> retries = retriesOfFirstByReason();
    retriesBefore.forEach((reason, before) -> retries.merge(reason, -before, Double::sum));
    // How long requests waited is a number of bench/failover.sh: on a machine this test shares, it measures the host.
    System.out.printf("ComposeIT: %d requests while a replica stopped, the longest %d ms; the gateway's retries: %s%n",
      all.size(), Collections.max(all), retries);

    assertThat(Docker.client().inspectContainerCmd(stopped).exec().getState().getExitCodeLong()).isZero();
    assertThat(failed).as("failed requests of " + all.size()).isEmpty();
    assertThat(all).hasSizeGreaterThan(100);
    assertThat(retries).as("requests the gateway moved because the replica lost them or no longer consumed them")
      .containsEntry("worker-lost", 0.0).containsEntry("not-consumed", 0.0);
  }

  @Test
  @Order(5)
  @DisplayName("compose stop ends every node gracefully within seconds, and down leaves no container or network")
  void stopsGracefullyAndLeavesNothing() {
    List<String> containers = SERVICES.stream().flatMap(service -> stack.containers(service).stream()).toList();
    long start = System.nanoTime();
    stack.run("stop", "--timeout", "20");
    Duration stopping = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("ComposeIT: compose stop of %d containers: %d ms%n", containers.size(), stopping.toMillis());

    for (String id : containers) {
      InspectContainerResponse.ContainerState state = Docker.client().inspectContainerCmd(id).exec().getState();
      assertThat(state.getExitCodeLong()).as(Docker.shortId(id) + " exit code after SIGTERM").isZero();
    }
    assertThat(stopping).isLessThan(STOP_BOUND);

    stack.down("--remove-orphans");
    String label = "com.docker.compose.project=" + stack.name();
    assertThat(Docker.client().listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec()).isEmpty();
    assertThat(Docker.client().listNetworksCmd().exec()).noneMatch(network -> network.getName().startsWith(stack.name()));
  }

  @Test
  @Order(6)
  @DisplayName("a node that cannot reach the Docker API in docker mode exits 78 and compose shows why")
  void dockerModeWithoutApi() {
    try (ComposeProject broken = new ComposeProject(ComposeIT.class)) {
      broken.env("BERTH_IMAGE", BerthImage.tag());
      Docker.Outcome outcome = broken.execute("run", "--rm", "-e", "DOCKER_HOST=unix:///run/absent.sock",
        "worker-first");

      assertThat(outcome.exitCode()).isEqualTo(Main.EXIT_CONFIG);
      assertThat(outcome.output()).contains("berth: the Docker API socket /run/absent.sock does not exist: mount it with"
        + " -v /run/absent.sock:/run/absent.sock:ro, or set BERTH_ADVERTISE=none (or static) when no published ports"
        + " need advertising");
    }
  }

  private Http.Response get(String path) {
    return Http.get("http://127.0.0.1:" + httpPort + path);
  }

  /** The gateway's retries of /a's address so far, by reason; a reason it never counted is 0. */
  private Map<String, Double> retriesOfFirstByReason() {
    Map<String, Double> byReason = new TreeMap<>(Map.of("worker-lost", 0.0, "not-consumed", 0.0, "overdue", 0.0));
    Pattern series = Pattern.compile("berth_gateway_retries_total\\{address=\"first\",.*reason=\"([a-z-]+)\"}");
    PrometheusText.samples(Http.get("http://127.0.0.1:" + managementPort + "/metrics").body()).forEach((name, value) -> {
      Matcher retry = series.matcher(name);
      if (retry.matches()) {
        byReason.put(retry.group(1), value);
      }
    });
    return byReason;
  }

  private Map<String, JsonObject> members() {
    return Members.of("http://127.0.0.1:" + managementPort);
  }
}
