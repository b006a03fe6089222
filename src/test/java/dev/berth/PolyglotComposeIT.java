package dev.berth;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import dev.berth.testing.BerthImage;
import dev.berth.testing.ComposeProject;
import dev.berth.testing.Docker;
import dev.berth.testing.Http;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker compose --profile polyglot up} through Compose v2, as a user runs it: berth's stack plus a node with a
 * bridge and the reference workers in Python and Node.js in their own images, joined by a token nobody had to make.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class PolyglotComposeIT {

  private static final Duration HEALTHY_BOUND = Duration.ofSeconds(120);
  private static final Duration STOP_BOUND = Duration.ofSeconds(30);

  private final ComposeProject stack = ComposeProject.v2(PolyglotComposeIT.class).option("--profile", "polyglot");
  private int httpPort;
  private int managementPort;

  @BeforeAll
  void up() {
    stack.env("BERTH_IMAGE", BerthImage.tag())
      .env("BERTH_PYTHON_WORKER_IMAGE", BerthImage.PYTHON_WORKER.built())
      .env("BERTH_NODE_WORKER_IMAGE", BerthImage.NODE_WORKER.built())
      .env("BERTH_GO_WORKER_IMAGE", BerthImage.GO_WORKER.built())
      .env("BERTH_HTTP_PUBLISH", "2345").env("BERTH_MANAGEMENT_PUBLISH", "127.0.0.1::9345");
    stack.run("up", "-d", "--no-build");
    InspectContainerResponse gateway = Docker.client().inspectContainerCmd(stack.containers("gateway").get(0)).exec();
    httpPort = Docker.publishedPort(gateway, 2345);
    managementPort = Docker.publishedPort(gateway, 9345);
    Poll.until("/zebra from the Python worker", HEALTHY_BOUND, () -> get("/zebra").body(),
      body -> body.startsWith("Hello from Python worker"));
  }

  @AfterAll
  void down() {
    stack.close();
  }

  @Test
  @Order(1)
  @DisplayName("/z is served by the Python worker, /n by the Node.js one, /g by the Go one, /a and /o by berth's own"
    + " workers")
  void everyLanguageServes() {
    Http.Response nut = Poll.until("/nut from the Node.js worker", HEALTHY_BOUND, () -> get("/nut"),
      response -> response.body().startsWith("Hello from Node.js worker")).value();
    Http.Response gopher = Poll.until("/gopher from the Go worker", HEALTHY_BOUND, () -> get("/gopher"),
      response -> response.body().startsWith("Hello from Go worker")).value();
    Http.Response zebra = get("/zebra");

    assertThat(zebra.body()).isEqualTo("Hello from Python worker " + zebra.servedBy() + ": GET /zebra");
    assertThat(zebra.servedBy()).startsWith(Docker.shortId(stack.containers("worker-python").get(0)));
    assertThat(nut.body()).isEqualTo("Hello from Node.js worker " + nut.servedBy() + ": GET /nut");
    assertThat(nut.servedBy()).startsWith(Docker.shortId(stack.containers("worker-node").get(0)));
    assertThat(gopher.body()).isEqualTo("Hello from Go worker " + gopher.servedBy() + ": GET /gopher");
    assertThat(gopher.servedBy()).startsWith(Docker.shortId(stack.containers("worker-go").get(0)));
    assertThat(get("/apple").body()).isEqualTo("First");
    assertThat(get("/orange").body()).isEqualTo("Second");
    assertThat(get("/z/fail/418").status()).isEqualTo(418);
  }

  @Test
  @Order(2)
  @DisplayName("the bridge node is a proven member listing its bridge, whose port no host publishes")
  void bridgeNodeInTheCluster() {
    Map<String, JsonObject> members = Poll.until("four proven members", HEALTHY_BOUND,
      () -> Members.of("http://127.0.0.1:" + managementPort),
      found -> found.size() == 4 && found.values().stream().allMatch(member -> member.getBoolean("proven", false)))
      .value();
    InspectContainerResponse bridgeNode = Docker.client()
      .inspectContainerCmd(stack.containers("worker-bridge").get(0)).exec();

    JsonObject bridge = members.get(bridgeNode.getConfig().getHostName()).getJsonObject("bridge");
    assertThat(bridge).isEqualTo(new JsonObject().put("port", 7000).put("addresses",
      new JsonArray().add("python").add("node").add("go")));
    assertThat(bridgeNode.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(7000))).isNull();
    assertThat(Docker.run(List.of("docker", "logs", bridgeNode.getId()), STOP_BOUND))
      .contains("bridge bound 0.0.0.0:7000 for python, node, go, clients show the token");
  }

  @Test
  @Order(3)
  @DisplayName("compose stop of the Python worker: it exits 0, and /z goes back to worker-second")
  void pythonWorkerStops() {
    String python = stack.containers("worker-python").get(0);

    stack.run("stop", "--timeout", "20", "worker-python");

    assertThat(Docker.client().inspectContainerCmd(python).exec().getState().getExitCodeLong()).isZero();
    Poll.until("/zebra from worker-second", HEALTHY_BOUND, () -> get("/zebra").body(), "Second"::equals);
  }

  private Http.Response get(String path) {
    return Http.get("http://127.0.0.1:" + httpPort + path);
  }
}
