package dev.berth.worker;

import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.EchoHandler;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's own Java worker ({@link EchoHandler}, from the test classes) named in {@code workers[].handler}, run by a
 * berth JVM with those classes beside the jar, behind a gateway JVM: requests, bytes, failures and a handler that
 * never answers, all through real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HandlerIT {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final Path TEST_CLASSES = Path.of("target/test-classes");

  private final Path logs = ItLogs.directory(HandlerIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, List.of("gateway", "echo"));

  @BeforeAll
  void start() throws IOException {
    cluster.start("gateway", "conf/gateway.json");
    cluster.startWith(TEST_CLASSES, "echo", conf("echo.json", EchoHandler.class.getName()));
    cluster.awaitHealthy(BOUND);
    Poll.until("the echo worker behind the gateway", BOUND, this::appleStatus, status -> status == 200);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @DisplayName("the handler answers with the request's method, path, query, headers and its own option")
  void echoes() throws IOException {
    HttpResponse<byte[]> response = Http.exchange(get("/apple/pie?size=large").header("x-test", "7"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-served-by")).hasValue("echo");
    assertThat(cluster.node("echo").output()).as("started from the classpath with conf/classpath.options")
      .doesNotContain("WARNING");
    assertThat(new JsonObject(new String(response.body()))).isEqualTo(new JsonObject().put("greeting", "hi")
      .put("method", "GET").put("path", "/apple/pie").put("query", "size=large").put("test", new JsonArray().add("7"))
      .put("bodyLength", 0));
  }

  @Test
  @DisplayName("bytes that are not UTF-8 come back unchanged")
  void bytes() throws IOException {
    byte[] every = new byte[256];
    for (int i = 0; i < every.length; i++) {
      every[i] = (byte) i;
    }
    HttpResponse<byte[]> response = Http.exchange(HttpRequest.newBuilder(url("/a/bytes"))
      .POST(HttpRequest.BodyPublishers.ofByteArray(every)));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(response.body()).isEqualTo(every);
  }

  @Test
  @DisplayName("a WorkerFailure gives the client its status and message")
  void failure() throws IOException {
    HttpResponse<byte[]> response = Http.exchange(get("/a/fail"));

    assertThat(response.statusCode()).isEqualTo(418);
    assertThat(new JsonObject(new String(response.body())).getString("error")).endsWith("failed: no coffee here");
  }

  @Test
  @DisplayName("a handler that throws gives the client a 500 without its details, and the worker's log has them")
  void crash() throws IOException {
    HttpResponse<byte[]> response = Http.exchange(get("/a/crash"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(new String(response.body())).doesNotContain("detail", "Exception", "at dev.");
    Poll.until("the stack trace in the worker's log", BOUND, () -> cluster.node("echo").output(),
      output -> output.contains("java.lang.IllegalStateException: a detail for the worker's log only"));
  }

  @Test
  @DisplayName("a handler that never answers is cut off at its timeoutMs, long before the gateway's own timeout")
  void hang() throws IOException {
    HttpResponse<byte[]> response = Http.exchange(get("/a/hang"));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(new JsonObject(new String(response.body())).getString("error"))
      .endsWith("failed: the worker did not answer within 500 ms");
  }

  @Test
  @DisplayName("a handler class that is missing, or is no WorkerHandler, stops the node at start: exit 78, one line")
  void unusableClass() throws IOException {
    String missing = conf("missing.json", "com.example.Missing");
    String notAHandler = conf("not-a-handler.json", Poll.class.getName());

    assertThat(refusal("missing", missing)).containsExactly("berth: " + missing + ": workers[0].handler: no class"
      + " com.example.Missing on the classpath (run java -cp berth.jar:<your jar> dev.berth.Main -conf ...)");
    assertThat(refusal("not-a-handler", notAHandler)).containsExactly("berth: " + notAHandler + ": workers[0].handler: "
      + Poll.class.getName() + " does not implement " + WorkerHandler.class.getName());
  }

  private List<String> refusal(String name, String conf) {
    BerthProcess node = cluster.startWith(TEST_CLASSES, name, conf);
    assertThat(node.awaitExit(BOUND)).as(node.output()).isEqualTo(Main.EXIT_CONFIG);
    return node.output().lines().toList();
  }

  /** A worker config for {@code first} with the handler class, a greeting option and a 500 ms timeout. */
  private String conf(String file, String handler) throws IOException {
    Path path = logs.resolve(file);
    Files.writeString(path, new JsonObject().put("roles", new JsonArray().add("worker"))
      .put("workers", new JsonArray().add(new JsonObject().put("address", "first").put("handler", handler)
        .put("options", new JsonObject().put("greeting", "hi")).put("timeoutMs", 500).put("instances", 2)))
      .put("cluster", new JsonObject().put("host", "127.0.0.1")).encode());
    return path.toString();
  }

  private int appleStatus() {
    try {
      return Http.exchange(get("/apple")).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(url(path));
  }

  private URI url(String path) {
    return URI.create(cluster.gatewayUrl(path));
  }
}
