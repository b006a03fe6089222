package dev.berth.node;

import dev.berth.testing.Docker;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** conf/local.json run from the built jar, as the README's first command: the whole product in one JVM. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class LocalNodeIT {

  private final LocalCluster node = new LocalCluster(ItLogs.directory(LocalNodeIT.class), List.of("local"));

  @BeforeAll
  void start() {
    node.start("local", "conf/local.json").awaitHealthy(Duration.ofSeconds(60));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  @DisplayName("/apple answers First and /Zebra Second, both served by the node itself; /1abc gets a 404 JSON error")
  void routes() {
    Http.Response first = Http.get(node.gatewayUrl("/apple"));
    Http.Response second = Http.get(node.gatewayUrl("/Zebra"));
    Http.Response none = Http.get(node.gatewayUrl("/1abc"));

    assertThat(first.body()).isEqualTo("First");
    assertThat(first.servedBy()).isEqualTo("local");
    assertThat(second.body()).isEqualTo("Second");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.json()).isEqualTo(new JsonObject().put("status", 404).put("error", "no route for '/1abc'")
      .put("path", "/1abc"));
  }

  @Test
  @DisplayName("gateway and workers share the one event loop that conf/local.json asks for")
  void oneEventLoop() {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String threads = Docker.execute(List.of(jcmd, String.valueOf(node.node("local").pid()), "Thread.print"), Map.of(),
      Duration.ofSeconds(30)).output();

    assertThat(threads.lines().filter(line -> line.startsWith("\"vert.x-eventloop-thread-"))).hasSize(1);
  }

  @Test
  @DisplayName("on a host that allows io_uring, transport auto runs the node's connections on io_uring rings, and the"
    + " start-up line says so")
  void connectionsOnIoUring() throws IOException {
    long pid = node.node("local").pid();
    List<String> rings = new ArrayList<>();
    try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path descriptor : descriptors) {
        String target = Files.readSymbolicLink(descriptor).toString();
        if (target.equals("anon_inode:[io_uring]")) {
          rings.add(target);
        }
      }
    }

    assertThat(node.node("local").output()).contains("; connections on io_uring; ");
    assertThat(rings).as("io_uring rings among the node's file descriptors").isNotEmpty();
  }
}
