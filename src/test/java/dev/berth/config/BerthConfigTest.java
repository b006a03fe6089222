package dev.berth.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BerthConfigTest {

  private static final String WORKER = """
    {"roles": ["worker"], "workers": [{"address": "first", "response": "First"}]}""";

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local.json", "gateway.json", "worker-first.json", "worker-second.json"})
  @DisplayName("every shipped config file is valid")
  void shippedConfigsAreValid(String file) {
    BerthConfig config = BerthConfig.load(Path.of("conf", file), Map.of());
    assertThat(config.roles()).isNotEmpty();
  }

  @Test
  @DisplayName("the local config runs a gateway and a worker for each address, with the documented defaults")
  void localConfig() {
    BerthConfig config = BerthConfig.load(Path.of("conf/local.json"), Map.of());
    assertThat(config.roles()).containsExactlyInAnyOrder(Role.GATEWAY, Role.WORKER);
    assertThat(config.workers()).extracting(WorkerConfig::address).containsExactly("first", "second");
    assertThat(config.gateway().httpPort()).isEqualTo(2345);
    assertThat(config.gateway().requestTimeoutMs()).isEqualTo(GatewayConfig.DEFAULT_REQUEST_TIMEOUT_MS);
    assertThat(config.gateway().routes().ranges())
      .containsExactly(Map.entry("A-M", List.of("first")), Map.entry("N-Z", List.of("second")));
    assertThat(config.management().port()).isEqualTo(9345);
    assertThat(config.management().metrics()).as("metrics on by default").isTrue();
    assertThat(config.management().eventBusMetrics()).as("Vert.x's event-bus metrics off by default").isFalse();
    assertThat(config.cluster().advertise().mode()).isEqualTo(AdvertiseMode.AUTO);
    assertThat(config.eventLoops()).as("gateway and workers of one JVM on one event loop").isEqualTo(1);
    assertThat(BerthConfig.load(Path.of("conf/gateway.json"), Map.of()).eventLoops()).as("Vert.x's default").isNull();
  }

  @Test
  @DisplayName("an event-loop count out of range names the key, also when it comes from BERTH_EVENT_LOOPS")
  void eventLoopsOutOfRange() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"eventLoops\": 0}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": eventLoops must be in 1..1024, was 0");
    assertThatThrownBy(() -> BerthConfig.load(Path.of("conf/gateway.json"), Map.of("BERTH_EVENT_LOOPS", "2000")))
      .hasMessage("conf/gateway.json: eventLoops (from BERTH_EVENT_LOOPS) must be in 1..1024, was 2000");
  }

  @Test
  @DisplayName("transport is auto unless the file or BERTH_TRANSPORT says io_uring or nio; any other value names the"
    + " key and the known ones")
  void transportChoices() throws IOException {
    assertThat(BerthConfig.load(Path.of("conf/gateway.json"), Map.of()).transport()).isEqualTo(IoTransport.AUTO);
    assertThat(BerthConfig.load(write("{\"roles\": [\"gateway\"], \"transport\": \"nio\"}"), Map.of()).transport())
      .isEqualTo(IoTransport.NIO);
    assertThat(BerthConfig.load(Path.of("conf/gateway.json"), Map.of("BERTH_TRANSPORT", "io_uring")).transport())
      .isEqualTo(IoTransport.IO_URING);
    Path file = write("{\"roles\": [\"gateway\"], \"transport\": \"epoll\"}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": transport is an unknown transport \"epoll\" (known: auto, io_uring, nio)");
  }

  @Test
  @DisplayName("a missing file names the file")
  void missingFile() {
    Path file = dir.resolve("nope.json");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessage(file + ": cannot read config: no such file");
  }

  @Test
  @DisplayName("a file that cannot be read names the file")
  void unreadableFile() {
    assertThatThrownBy(() -> BerthConfig.load(dir, Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith(dir + ": cannot read config: ");
  }

  @Test
  @DisplayName("invalid JSON names the file and where the parser stopped")
  void invalidJson() throws IOException {
    Path file = write("{\"roles\": [\"worker\"],\n \"workers\": [}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessage(file + ": invalid JSON at line 2, column 14: Unexpected close marker '}': expected ']'");
  }

  @Test
  @DisplayName("truncated JSON is reported without the parser's pointer into a source it does not show")
  void truncatedJson() throws IOException {
    Path file = write("{\"roles\": [\"worker\"]");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": invalid JSON at line 1, column 21: Unexpected end-of-input: expected close marker for Object");
  }

  @Test
  @DisplayName("a JSON array at the top level is rejected")
  void topLevelArray() throws IOException {
    Path file = write("[1, 2]");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": invalid config: the top level must be a JSON object");
  }

  @Test
  @DisplayName("an unknown role names the key and the known roles")
  void unknownRole() throws IOException {
    Path file = write("{\"roles\": [\"gateway\", \"router\"]}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": roles[1] is an unknown role \"router\" (known: gateway, worker)");
  }

  @Test
  @DisplayName("missing roles are reported")
  void missingRoles() throws IOException {
    Path file = write("{}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": roles is missing: list at least one of gateway, worker");
  }

  @Test
  @DisplayName("a worker without its address names the worker's index")
  void missingWorkerAddress() throws IOException {
    Path file = write("{\"roles\": [\"worker\"], \"workers\": [{\"address\": \"a\", \"response\": \"A\"}, {\"response\": \"B\"}]}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": workers[1].address is missing");
  }

  @Test
  @DisplayName("a worker with a handler takes its class, options and timeout")
  void handlerWorker() throws IOException {
    Path file = write("""
      {"roles": ["worker"], "workers": [{"address": "first", "handler": "com.example.Hello",
        "options": {"greeting": "hi", "n": [1]}, "timeoutMs": 700, "instances": 2}]}""");

    WorkerConfig worker = BerthConfig.load(file, Map.of()).workers().get(0);

    assertThat(worker.handler()).isEqualTo("com.example.Hello");
    assertThat(worker.response()).isNull();
    assertThat(worker.options()).isEqualTo(new JsonObject().put("greeting", "hi").put("n", new JsonArray().add(1)));
    assertThat(worker.timeoutMs()).isEqualTo(700);
    assertThat(worker.longestAnswerMs()).isEqualTo(700);
    assertThat(BerthConfig.load(write("{\"roles\": [\"worker\"], \"workers\": [{\"address\": \"a\","
      + " \"handler\": \"x.Y\"}]}"), Map.of()).workers().get(0).options()).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("a worker answers with a response or a handler, and each takes only its own keys")
  void responseOrHandler() throws IOException {
    String worker = "{\"roles\": [\"worker\"], \"workers\": [{\"address\": \"a\", %s}]}";
    Map<String, String> rejected = Map.of(
      "\"response\": \"A\", \"handler\": \"x.Y\"",
      "workers[0].response is set with handler: a worker answers with one of them",
      "\"handler\": \"x.Y\", \"delayMs\": 5",
      "workers[0].delayMs is for the fixed-text worker: a handler takes its own time",
      "\"response\": \"A\", \"options\": {}",
      "workers[0].options is for a handler: this worker answers the response text",
      "\"response\": \"A\", \"timeoutMs\": 5",
      "workers[0].timeoutMs is for a handler: the fixed-text worker answers after delayMs",
      "\"handler\": \"x.Y\", \"options\": []",
      "workers[0].options must be a JSON object, was an array",
      "\"handler\": \" \"",
      "workers[0].handler must be a non-empty string, was \" \"",
      "\"handler\": \"x.Y\", \"timeoutMs\": 0",
      "workers[0].timeoutMs must be in 1..600000, was 0");
    for (Map.Entry<String, String> entry : rejected.entrySet()) {
      Path file = write(worker.formatted(entry.getKey()));
      assertThatThrownBy(() -> BerthConfig.load(file, Map.of())).as(entry.getKey())
        .hasMessage(file + ": " + entry.getValue());
    }
  }

  @Test
  @DisplayName("a worker role without workers is rejected")
  void workerRoleWithoutWorkers() throws IOException {
    Path file = write("{\"roles\": [\"worker\"]}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": workers is missing: a node with the worker role needs at least one worker, or a bridge");
  }

  @Test
  @DisplayName("a bridge takes its token and port from the environment, and needs only its addresses in the file")
  void bridge() throws IOException {
    Path file = write("{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"]}}");

    BridgeConfig bridge = BerthConfig.load(file, Map.of("BERTH_BRIDGE_TOKEN", "0123456789abcdef",
      "BERTH_BRIDGE_PORT", "7100")).bridge();

    assertThat(bridge).isEqualTo(new BridgeConfig(BridgeConfig.DEFAULT_HOST, 7100, List.of("first"),
      "0123456789abcdef", BridgeConfig.DEFAULT_MAX_FRAME_BYTES, BridgeConfig.DEFAULT_TIMEOUT_MS,
      BridgeConfig.DEFAULT_MAX_PENDING_PER_CLIENT, BridgeConfig.DEFAULT_HANDOVER_MS));
    assertThat(bridge.toString()).doesNotContain("0123456789abcdef");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "fedcba9876543210fedcba\n");
    assertThat(BerthConfig.load(file, Map.of("BERTH_BRIDGE_TOKEN_FILE", tokenFile.toString())).bridge().token())
      .as("from a file, without its line break").isEqualTo("fedcba9876543210fedcba");
    assertThat(BerthConfig.load(write("{\"roles\": [\"gateway\"]}"), Map.of("BERTH_BRIDGE_TOKEN",
      "0123456789abcdef")).bridge()).as("the variable alone opens no bridge").isNull();
  }

  @Test
  @DisplayName("a bridge without a token, with a short one, without addresses, with berth's own, or on a node that is"
    + " not a worker is rejected")
  void badBridges() throws IOException {
    Map<String, String> rejected = Map.of(
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"]}}",
      "bridge.token is missing: set BERTH_BRIDGE_TOKEN (or bridge.token), or BERTH_BRIDGE_TOKEN_FILE"
        + " (bridge.tokenFile), to a secret of at least 16 characters that bridge clients must show",
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"], \"tokenFile\": \"/nonexistent/token\"}}",
      "bridge.tokenFile names /nonexistent/token, which does not exist",
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"], \"token\": \"secret\"}}",
      "bridge.token is 6 characters long: use at least 16 (openssl rand -hex 16)",
      "{\"roles\": [\"worker\"], \"bridge\": {\"token\": \"0123456789abcdef\"}}",
      "bridge.addresses is missing: list the addresses bridge clients may serve",
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"__berth.draining\"], \"token\": \"0123456789abcdef\"}}",
      "bridge.addresses[0] is \"__berth.draining\": addresses starting with __ belong to berth and Vert.x",
      "{\"roles\": [\"gateway\"], \"bridge\": {\"addresses\": [\"first\"], \"token\": \"0123456789abcdef\"}}",
      "bridge is set but roles do not include worker: bridge clients are workers",
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"], \"token\": \"0123456789abcdef\","
        + " \"maxFrameBytes\": 10}}",
      "bridge.maxFrameBytes must be in 1024..67108864, was 10",
      "{\"roles\": [\"worker\"], \"bridge\": {\"addresses\": [\"first\"], \"token\": \"0123456789abcdef\","
        + " \"handoverMs\": -1}}",
      "bridge.handoverMs must be in 0..600000, was -1");
    for (Map.Entry<String, String> entry : rejected.entrySet()) {
      Path file = write(entry.getKey());
      assertThatThrownBy(() -> BerthConfig.load(file, Map.of())).as(entry.getKey())
        .hasMessage(file + ": " + entry.getValue());
    }
  }

  @Test
  @DisplayName("a port out of range names the key and the value")
  void portOutOfRange() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"gateway\": {\"httpPort\": 70000}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": gateway.httpPort must be in 1..65535, was 70000");
  }

  @Test
  @DisplayName("a body budget smaller than the largest body is refused, since that body could never pass")
  void bodyBudgetBelowBodyLimit() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"gateway\": {\"maxBodyBytes\": 2048, \"maxBodyBytesInFlight\": 1024}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": gateway.maxBodyBytesInFlight must be at least maxBodyBytes (2048), or no request with the"
        + " largest body could pass, was 1024");
  }

  @Test
  @DisplayName("Vert.x's event-bus metrics without metrics are refused: there would be nowhere to show them")
  void eventBusMetricsNeedMetrics() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"management\": {\"metrics\": false, \"eventBusMetrics\": true}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": management.eventBusMetrics needs metrics: it adds to them, and metrics is false");
  }

  @Test
  @DisplayName("a value of the wrong type names the key and the value")
  void wrongType() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"management\": {\"port\": \"9345\"}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": management.port must be an integer, was \"9345\"");
  }

  @Test
  @DisplayName("an unknown key is an error, so that a typo does not silently fall back to a default")
  void unknownKey() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"gateway\": {\"requestTimeout\": 10}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessageStartingWith(file + ": gateway.requestTimeout is not a known key (known: ")
      .hasMessageContaining("requestTimeoutMs");
  }

  @Test
  @DisplayName("an invalid routing table names the range")
  void invalidRoute() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"gateway\": {\"routes\": {\"A-M\": \"first\", \"M-Z\": \"second\"}}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": gateway.routes.M-Z overlaps A-M at letter M");
    Path numbers = write("{\"roles\": [\"gateway\"], \"gateway\": {\"routes\": {\"Z\": [\"python\", 7]}}}");
    assertThatThrownBy(() -> BerthConfig.load(numbers, Map.of()))
      .hasMessage(numbers + ": gateway.routes.Z[1] must be a non-empty string, was 7");
  }

  @Test
  @DisplayName("a range may list addresses in order of preference")
  void preferredRoutes() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"gateway\": {\"routes\": {\"A-Y\": \"first\","
      + " \"Z\": [\"python\", \"second\"]}}}");
    assertThat(BerthConfig.load(file, Map.of()).gateway().routes().ranges())
      .containsExactly(Map.entry("A-Y", List.of("first")), Map.entry("Z", List.of("python", "second")));
  }

  @Test
  @DisplayName("a malformed seed member names the member")
  void malformedMember() throws IOException {
    Path file = write("{\"roles\": [\"gateway\"], \"cluster\": {\"members\": [\"10.0.0.1:5701\", \"10.0.0.2:x\"]}}");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of()))
      .hasMessage(file + ": cluster.members[1] must be host or host:port, was \"10.0.0.2:x\"");
  }

  @Test
  @DisplayName("an unknown advertise mode names the known ones")
  void unknownAdvertiseMode() throws IOException {
    Path file = write(WORKER);
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_ADVERTISE", "swarm")))
      .hasMessage(file + ": cluster.advertise.mode (from BERTH_ADVERTISE) is an unknown mode \"swarm\" (known: docker, auto, static, none)");
  }

  @Test
  @DisplayName("docker mode needs a fixed event-bus port, since that is the port Docker publishes")
  void dockerModeNeedsFixedEventBusPort() throws IOException {
    Path file = write(WORKER);
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_ADVERTISE", "docker")))
      .hasMessage(file + ": cluster.eventBusPort must be a fixed port (not 0) in docker mode: it is the port that is published");
  }

  @Test
  @DisplayName("a node looks for a seed (cluster.seedWaitMs) within its join (cluster.joinTimeoutMs), never longer")
  void seedWaitWithinTheJoin() throws IOException {
    Path file = write(WORKER);
    assertThat(BerthConfig.load(file, Map.of()).cluster().seedWaitMs()).isZero();
    ClusterConfig waiting = BerthConfig.load(file, Map.of("BERTH_CLUSTER_SEED_WAIT_MS", "30000",
      "BERTH_CLUSTER_JOIN_TIMEOUT_MS", "60000")).cluster();
    assertThat(waiting.seedWaitMs()).isEqualTo(30_000);
    assertThat(waiting.joinTimeoutMs()).isEqualTo(60_000);
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_CLUSTER_SEED_WAIT_MS", "30000")))
      .hasMessage(file + ": cluster.seedWaitMs (from BERTH_CLUSTER_SEED_WAIT_MS) must be less than cluster.joinTimeoutMs"
        + " (30000), was 30000: the wait for a seed is part of the join");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_CLUSTER_SEED_WAIT_MS", "-1")))
      .hasMessage(file + ": cluster.seedWaitMs (from BERTH_CLUSTER_SEED_WAIT_MS) must be in 0..600000, was -1");
  }

  @Test
  @DisplayName("static mode needs the host and both public ports")
  void staticModeNeedsHostAndPorts() throws IOException {
    Path file = write(WORKER);
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_ADVERTISE", "static", "BERTH_EVENTBUS_PORT", "5710")))
      .hasMessageStartingWith(file + ": cluster.advertise.hostIp is missing: static mode advertises");
  }

  @Test
  @DisplayName("environment variables override the file, list values split on commas")
  void environmentOverrides() throws IOException {
    Path file = write(WORKER);
    BerthConfig config = BerthConfig.load(file, Map.of(
      "BERTH_NAME", "w1",
      "BERTH_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701,",
      "BERTH_HAZELCAST_PORT", "5801",
      "BERTH_EVENTBUS_PORT", "5810",
      "BERTH_MANAGEMENT_PORT", "9400",
      "BERTH_ADVERTISE", "static",
      "BERTH_HOST_IP", "10.0.0.9",
      "BERTH_PUBLIC_HAZELCAST_PORT", "32001",
      "BERTH_PUBLIC_EVENTBUS_PORT", "32002"));
    assertThat(config.name()).isEqualTo("w1");
    assertThat(config.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(config.cluster().hazelcastPort()).isEqualTo(5801);
    assertThat(config.cluster().eventBusPort()).isEqualTo(5810);
    assertThat(config.management().port()).isEqualTo(9400);
    assertThat(config.cluster().advertise())
      .isEqualTo(new AdvertiseConfig(AdvertiseMode.STATIC, "10.0.0.9", null, 32001, 32002, null));
  }

  @Test
  @DisplayName("a variable for the gateway is ignored by a worker, so one environment file serves every node")
  void roleVariableIgnoredByOtherRoles() throws IOException {
    Path file = write(WORKER);
    BerthConfig config = BerthConfig.load(file, Map.of("BERTH_HTTP_PORT", "8080"));
    assertThat(config.runsGateway()).isFalse();
    assertThat(config.gateway().httpPort()).isEqualTo(GatewayConfig.DEFAULT_HTTP_PORT);
  }

  @Test
  @DisplayName("gateway.tls takes a certificate and its key, from the file or BERTH_HTTPS_CERT and BERTH_HTTPS_KEY, both"
    + " or neither, and the clients' authority (clientCa, BERTH_HTTPS_CLIENT_CA) only with them, its revocation lists"
    + " (clientCrl, BERTH_HTTPS_CLIENT_CRL) only with it; a worker ignores them")
  void gatewayTls() throws IOException {
    Path gateway = write("{\"roles\": [\"gateway\"], \"gateway\": {\"tls\": {\"cert\": \"/certs/gw.pem\","
      + " \"key\": \"/certs/gw-key.pem\"}}}");
    assertThat(BerthConfig.load(gateway, Map.of()).gateway().tls())
      .isEqualTo(new ServerTlsConfig(Path.of("/certs/gw.pem"), Path.of("/certs/gw-key.pem"), null));
    assertThat(BerthConfig.load(gateway, Map.of("BERTH_HTTPS_CERT", "/run/secrets/cert.pem")).gateway().tls().cert())
      .isEqualTo(Path.of("/run/secrets/cert.pem"));
    assertThat(BerthConfig.load(gateway, Map.of()).gateway().tls().clientCa()).isNull();
    assertThat(BerthConfig.load(gateway, Map.of("BERTH_HTTPS_CLIENT_CA", "/certs/clients.pem")).gateway().tls())
      .isEqualTo(new ServerTlsConfig(Path.of("/certs/gw.pem"), Path.of("/certs/gw-key.pem"),
        Path.of("/certs/clients.pem")));
    assertThat(BerthConfig.load(gateway, Map.of("BERTH_HTTPS_CLIENT_CA", "/certs/clients.pem",
      "BERTH_HTTPS_CLIENT_CRL", "/certs/clients-crl.pem")).gateway().tls().clientCrl())
      .isEqualTo(Path.of("/certs/clients-crl.pem"));
    assertThatThrownBy(() -> BerthConfig.load(gateway, Map.of("BERTH_HTTPS_CLIENT_CRL", "/certs/clients-crl.pem")))
      .hasMessage(gateway + ": gateway.tls.clientCrl (from BERTH_HTTPS_CLIENT_CRL) needs clientCa: it revokes"
        + " certificates that clientCa's authorities issued to clients");

    Path plain = write("{\"roles\": [\"gateway\"]}");
    assertThat(BerthConfig.load(plain, Map.of()).gateway().tls()).isNull();
    assertThatThrownBy(() -> BerthConfig.load(plain, Map.of("BERTH_HTTPS_CERT", "/certs/gw.pem")))
      .hasMessage(plain + ": gateway.tls.key is missing: give cert and key together, or neither for plain HTTP");
    assertThat(BerthConfig.load(write(WORKER), Map.of("BERTH_HTTPS_CERT", "/certs/gw.pem")).gateway().tls()).isNull();

    Path clientCaOnly = write("{\"roles\": [\"gateway\"], \"gateway\": {\"tls\": {\"clientCa\": \"/certs/clients.pem\"}}}");
    assertThatThrownBy(() -> BerthConfig.load(clientCaOnly, Map.of()))
      .hasMessage(clientCaOnly + ": gateway.tls.cert is missing: give cert and key together, or neither for plain HTTP");

  }

  @Test
  @DisplayName("gateway.accessLog is off unless the file or BERTH_ACCESS_LOG says true; any other value than true or"
    + " false is an error")
  void accessLog() throws IOException {
    Path plain = write("{\"roles\": [\"gateway\"]}");
    assertThat(BerthConfig.load(plain, Map.of()).gateway().accessLog()).isFalse();
    assertThat(BerthConfig.load(plain, Map.of("BERTH_ACCESS_LOG", "true")).gateway().accessLog()).isTrue();
    Path logged = write("{\"roles\": [\"gateway\"], \"gateway\": {\"accessLog\": true}}");
    assertThat(BerthConfig.load(logged, Map.of()).gateway().accessLog()).isTrue();
    assertThat(BerthConfig.load(logged, Map.of("BERTH_ACCESS_LOG", "false")).gateway().accessLog()).isFalse();

    assertThatThrownBy(() -> BerthConfig.load(logged, Map.of("BERTH_ACCESS_LOG", "yes")))
      .hasMessage(logged + ": gateway.accessLog (from BERTH_ACCESS_LOG) must be true or false, was \"yes\"");
    Path quoted = write("{\"roles\": [\"gateway\"], \"gateway\": {\"accessLog\": \"true\"}}");
    assertThatThrownBy(() -> BerthConfig.load(quoted, Map.of()))
      .hasMessage(quoted + ": gateway.accessLog must be true or false, was \"true\"");
  }

  @Test
  @DisplayName("an empty environment variable counts as unset")
  void emptyVariableIsUnset() throws IOException {
    Path file = write(WORKER);
    BerthConfig config = BerthConfig.load(file, Map.of("BERTH_HAZELCAST_PORT", "", "BERTH_HOST_IP", " "));
    assertThat(config.cluster().hazelcastPort()).isEqualTo(ClusterConfig.DEFAULT_HAZELCAST_PORT);
    assertThat(config.cluster().advertise().hostIp()).isNull();
  }

  @Test
  @DisplayName("a bad environment value names the variable as well as the key")
  void badEnvironmentValue() throws IOException {
    Path file = write(WORKER);
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_HAZELCAST_PORT", "57o1")))
      .hasMessage(file + ": cluster.hazelcastPort (from BERTH_HAZELCAST_PORT) must be an integer, was \"57o1\"");
    assertThatThrownBy(() -> BerthConfig.load(file, Map.of("BERTH_HAZELCAST_PORT", "70000")))
      .hasMessage(file + ": cluster.hazelcastPort (from BERTH_HAZELCAST_PORT) must be in 1..65535, was 70000");
  }

  @Test
  @DisplayName("records check their values however they are built")
  void recordsCheckTheirValues() {
    assertThatThrownBy(() -> WorkerConfig.fixedText("first", "First", -1, 1)).hasMessage("delayMs must be in 0..600000, was -1");
    assertThatThrownBy(() -> WorkerConfig.fixedText("first", "First", 0, 0)).hasMessage("instances must be in 1..256, was 0");
    assertThatThrownBy(() -> new BerthConfig(null, null, IoTransport.AUTO, Set.of(Role.GATEWAY), GatewayConfig.DEFAULT,
      List.of(WorkerConfig.fixedText("a", "A", 0, 1)), null, null, null)).hasMessage("workers is set but roles do not include worker");
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve("berth.json");
    Files.writeString(file, json);
    return file;
  }
}
