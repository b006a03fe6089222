package dev.berth;

import dev.berth.testing.BerthProcess;
import dev.berth.testing.FreePorts;
import dev.berth.testing.ItLogs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar refuses each kind of broken start-up with exit code 78 (EX_CONFIG) and one line naming file and key. */
@Timeout(60)
class BadConfigIT {

  private final Path logs = ItLogs.directory(BadConfigIT.class);

  @Test
  @DisplayName("no -conf at all")
  void noConf() {
    expectRefusal("no-conf", null, Map.of(), "berth: no config given: run java -jar berth.jar -conf conf/<role>.json");
  }

  @Test
  @DisplayName("a -conf file that does not exist")
  void missingFile() {
    expectRefusal("missing", "conf/absent.json", Map.of(), "berth: conf/absent.json: cannot read config: no such file");
  }

  @Test
  @DisplayName("a -conf file that is not JSON")
  void invalidJson() throws IOException {
    Path file = write("invalid.json", "{\"roles\": [\"gateway\"]");
    expectRefusal("invalid", file.toString(), Map.of(),
      "berth: " + file + ": invalid JSON at line 1, column 22: Unexpected end-of-input: expected close marker for Object");
  }

  @Test
  @DisplayName("an unknown role")
  void unknownRole() throws IOException {
    Path file = write("role.json", "{\"roles\": [\"balancer\"]}");
    expectRefusal("role", file.toString(), Map.of(),
      "berth: " + file + ": roles[0] is an unknown role \"balancer\" (known: gateway, worker)");
  }

  @Test
  @DisplayName("a missing key")
  void missingKey() throws IOException {
    Path file = write("key.json", "{\"roles\": [\"worker\"], \"workers\": [{\"address\": \"first\"}]}");
    expectRefusal("key", file.toString(), Map.of(), "berth: " + file + ": workers[0].response is missing: give the text"
      + " to answer, or a handler class");
  }

  @Test
  @DisplayName("a port out of range in the file")
  void portOutOfRange() throws IOException {
    Path file = write("port.json", "{\"roles\": [\"gateway\"], \"management\": {\"port\": 0}}");
    expectRefusal("port", file.toString(), Map.of(), "berth: " + file + ": management.port must be in 1..65535, was 0");
  }

  @Test
  @DisplayName("a port out of range in the environment")
  void environmentPortOutOfRange() {
    expectRefusal("env-port", "conf/gateway.json", Map.of("BERTH_HTTP_PORT", "65536"),
      "berth: conf/gateway.json: gateway.httpPort (from BERTH_HTTP_PORT) must be in 1..65535, was 65536");
  }

  @Test
  @DisplayName("a port another process already listens on")
  void portInUse() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.next()));
      int port = taken.getLocalPort();
      expectRefusal("port-in-use", "conf/worker-first.json", Map.of("BERTH_HAZELCAST_PORT", String.valueOf(port)),
        "berth: cannot listen on 127.0.0.1:" + port + " for cluster.hazelcastPort: Address already in use"
          + " (another node on this machine? set BERTH_HAZELCAST_PORT)");
    }
  }

  @Test
  @DisplayName("docker advertising required outside any container")
  void dockerModeOutsideContainer() {
    expectRefusal("docker-outside", "conf/worker-first.json", Map.of("BERTH_ADVERTISE", "docker", "BERTH_EVENTBUS_PORT", "5710"),
      "berth: BERTH_ADVERTISE=docker, but this process does not run in a Docker container (no id in"
        + " /proc/self/mountinfo or /proc/self/cgroup, no /.dockerenv): set BERTH_CONTAINER_ID, or BERTH_ADVERTISE=none");
  }

  private void expectRefusal(String name, String conf, Map<String, String> env, String expectedLine) {
    BerthProcess process = BerthProcess.start(name, conf, env, logs);
    assertThat(process.awaitExit(Duration.ofSeconds(30))).as("exit code").isEqualTo(Main.EXIT_CONFIG);
    assertThat(process.output().lines()).as("output").containsExactly(expectedLine);
  }

  private Path write(String name, String json) throws IOException {
    Path file = logs.resolve(name);
    Files.writeString(file, json);
    return file;
  }
}
