package dev.berth;

import dev.berth.testing.Certificates;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.Poll;
import dev.berth.testing.RunningProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's one command, {@code ./local-cluster}, run as a user runs it: a gateway and a worker per address, each its
 * own JVM, serving /apple and /zebra; SIGTERM (as Ctrl-C) drains and stops them all. Again with HTTPS, as
 * docs/security.md shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class LocalClusterIT {

  private static final Duration BOUND = Duration.ofSeconds(90);
  /** The ports the script uses, at its offset 0: HTTP, management, Hazelcast. */
  private static final List<Integer> PORTS = List.of(2345, 9345, 9346, 9347, 5701, 5702, 5703);

  private final Path logs = ItLogs.directory(LocalClusterIT.class);
  private RunningProcess script;

  @AfterAll
  void stop() {
    if (script != null) {
      script.close();
    }
  }

  @Test
  @DisplayName("./local-cluster serves /apple from worker-first and /zebra from worker-second once both are seen, without"
    + " a 503 on the way, and stops every node on SIGTERM, one at a time")
  void oneCommand() {
    int offset = freeOffset();
    ProcessBuilder builder = new ProcessBuilder("./local-cluster");
    builder.environment().put("BERTH_LOCAL_PORT_OFFSET", Integer.toString(offset));
    script = RunningProcess.start("local-cluster", builder, logs.resolve("local-cluster.log"));
    Poll.until("local-cluster serving", BOUND, script::output, output -> output.contains("local-cluster: serving"));

    Http.Response first = Http.get("http://127.0.0.1:" + (2345 + offset) + "/apple");
    Http.Response second = Http.get("http://127.0.0.1:" + (2345 + offset) + "/zebra");
    int exit = script.stop(BOUND);

    assertThat(List.of(first.body(), first.servedBy())).containsExactly("First", "worker-first");
    assertThat(List.of(second.body(), second.servedBy())).containsExactly("Second", "worker-second");
    assertThat(exit).as(script.output()).isZero();
    assertThat(script.output()).contains("[gateway] ", "node gateway left the cluster and stopped",
      "node worker-first left the cluster and stopped", "node worker-second left the cluster and stopped",
      "local-cluster: stopped");
    assertThat(script.output()).as("no 503 from the script's own asking while the workers joined")
      .doesNotContain("-> 503");
    assertThat(script.output()).as("one leave at a time: no partition lost").doesNotContain("LOST partitions");
  }

  @Test
  @DisplayName("with BERTH_HTTPS_CERT and BERTH_HTTPS_KEY, ./local-cluster's gateway serves HTTPS, HTTP/2 by ALPN, and"
    + " the script says so")
  void withHttps() throws Exception {
    Path certs = logs.resolve("certs");
    Certificates.make(certs, "localhost");
    int port = 2345 + freeOffset();
    ProcessBuilder builder = new ProcessBuilder("./local-cluster");
    builder.environment().putAll(Map.of("BERTH_LOCAL_PORT_OFFSET", Integer.toString(port - 2345),
      "BERTH_HTTPS_CERT", certs.resolve("localhost.pem").toString(),
      "BERTH_HTTPS_KEY", certs.resolve("localhost-key.pem").toString()));
    try (RunningProcess https = RunningProcess.start("local-cluster-https", builder,
      logs.resolve("local-cluster-https.log"))) {
      Poll.until("local-cluster serving over HTTPS", BOUND, https::output,
        output -> output.contains("local-cluster: serving: curl https://localhost:" + port + "/apple"));

      HttpResponse<String> apple = HttpClient.newBuilder().sslContext(Certificates.trusting(certs.resolve("ca.pem")))
        .build().send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/apple")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(apple.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(apple.body()).isEqualTo("First");
      assertThat(https.stop(BOUND)).as(https.output()).isZero();
    }
  }

  /** An offset at which every port of the script is free on this machine. */
  private static int freeOffset() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int offset = ThreadLocalRandom.current().nextInt(10_000, 50_000);
      if (PORTS.stream().allMatch(port -> free(port + offset))) {
        return offset;
      }
    }
    throw new AssertionError("no free offset for the script's ports");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
