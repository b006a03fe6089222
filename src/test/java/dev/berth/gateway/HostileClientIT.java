package dev.berth.gateway;

import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Poll;
import dev.berth.testing.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node from the built jar, with small limits, against well over a hundred malformed, oversized, slow and pipelined
 * requests over plain sockets. Each class gets its clear answer or a clean close, never a 500 and never a hang, and
 * the node goes on serving. A second node, with HTTP/2 cleartext on, shows the same answers where Vert.x reads a
 * connection's first request itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class HostileClientIT {

  private static final int HEADER_TIMEOUT_MS = 1_500;
  private static final int BODY_TIMEOUT_MS = 1_500;
  private static final int MAX_CONNECTIONS = 20;
  private static final int MAX_BODY_BYTES = 1024;
  /** A deadline is checked a few times a second: it is kept within this much. */
  private static final Duration SLACK = Duration.ofMillis(1_500);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final List<String> MALFORMED_VERSIONS = List.of("http/1.1", "TTP/1.1", "HT:TP/1.1", "HTTP/1.10",
    "HTTP/01.1", "XHTTP/1.1");

  private final LocalCluster node = new LocalCluster(ItLogs.directory(HostileClientIT.class), List.of("node"));
  /** A cluster of its own, whose node has gateway.http2Cleartext on. */
  private final LocalCluster h2cNode = new LocalCluster(ItLogs.directory(HostileClientIT.class), List.of("h2c"));
  private int port;
  private int h2cPort;

  @BeforeAll
  void start() throws IOException {
    node.start("node", conf("node", false));
    h2cNode.start("h2c", conf("h2c", true));
    node.awaitHealthy(Duration.ofSeconds(60));
    h2cNode.awaitHealthy(Duration.ofSeconds(60));
    port = node.httpPort();
    h2cPort = h2cNode.httpPort();
  }

  private String conf(String name, boolean http2Cleartext) throws IOException {
    Path conf = node.logs().resolve(name + ".json");
    Files.writeString(conf, """
      {"roles": ["gateway", "worker"],
       "gateway": {"maxBodyBytes": %d, "headerTimeoutMs": %d, "bodyTimeoutMs": %d, "maxConnections": %d,
                   "http2Cleartext": %b},
       "workers": [{"address": "first", "response": "First"}, {"address": "second", "response": "Second"}],
       "cluster": {"host": "127.0.0.1"}}""".formatted(MAX_BODY_BYTES, HEADER_TIMEOUT_MS, BODY_TIMEOUT_MS,
      MAX_CONNECTIONS, http2Cleartext));
    return conf.toString();
  }

  @AfterEach
  void stillServes() {
    for (LocalCluster cluster : List.of(node, h2cNode)) {
      String name = cluster.nodes().keySet().iterator().next();
      Http.Response first = Http.get(cluster.gatewayUrl("/a"));
      assertThat(first.status()).as("/a on " + name + " after the hostile requests").isEqualTo(200);
      assertThat(first.body()).isEqualTo("First");
      assertThat(cluster.node(name).output()).as(name + "'s log").doesNotContain("ERROR", "\tat ");
    }
  }

  @AfterAll
  void stop() {
    node.close();
    h2cNode.close();
  }

  @Test
  @DisplayName("malformed request heads get 400 with the usual JSON and the connection closes")
  void malformedHeads() {
    List<String> heads = List.of(
      "BLAH\r\n\r\n",
      "GET /a\r\nHost: x\r\n\r\n",
      "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /a HTTP/1.1\r\nHost x\r\n\r\n",
      "GET /a HTTP/1.1\r\nBad Name: v\r\n\r\n",
      "GET /a HTTP/1.1\nHost: x\n\n",
      "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "GET /a HTTP/1.1\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /%e0%a4%a HTTP/1.1\r\nHost: x\r\n\r\n");
    for (String head : heads) {
      for (int repeat = 0; repeat < 3; repeat++) {
        RawHttp.Exchange answer = RawHttp.exchange(port, head, WAIT);
        assertThat(answer.status()).as(head + " → " + answer).isEqualTo(400);
        assertThat(answer.text()).as(head).contains("application/json", "\"status\":400");
        assertThat(answer.closed()).as(head + " → " + answer).isTrue();
      }
    }
  }

  @Test
  @DisplayName("HTTP versions as RFC 9112 has them: 1.x above 1.1 is served as 1.1; another major version gets 505, an"
    + " HTTP/2 preface included; a version that is not one gets 400; each with the usual JSON, then the close")
  void httpVersions() {
    answersVersions(port, "", MALFORMED_VERSIONS);
    RawHttp.Exchange preface = RawHttp.exchange(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", WAIT);
    assertThat(preface.status()).as(preface.toString()).isEqualTo(505);
    assertThat(preface.text()).contains("an HTTP/2 connection preface: this port speaks HTTP/1.1, and HTTP/2 without"
      + " TLS only with gateway.http2Cleartext");
    assertThat(preface.closed()).isTrue();
  }

  @Test
  @DisplayName("with gateway.http2Cleartext, HTTP versions get the same answers on a connection's later requests, and"
    + " on its first, which Vert.x reads itself, all but a lower-case name and a leading zero")
  void httpVersionsWithHttp2Cleartext() {
    answersVersions(h2cPort, "GET /zebra HTTP/1.1\r\nHost: x\r\n\r\n", MALFORMED_VERSIONS);
    answersVersions(h2cPort, "", MALFORMED_VERSIONS.stream()
      .filter(version -> !version.equals("http/1.1") && !version.equals("HTTP/01.1")).toList());
  }

  @Test
  @DisplayName("with gateway.http2Cleartext, an HTTP/1 connection's first request is read whole, with its body, and the"
    + " requests pipelined behind it are served; HTTP/2 is served by prior knowledge and by upgrade")
  void http2Cleartext() throws Exception {
    for (String body : List.of("Content-Length: 5\r\n\r\nhello",
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) {
      RawHttp.Exchange answers = RawHttp.exchange(h2cPort, "POST /apple HTTP/1.1\r\nHost: x\r\n" + body
        + "GET /zebra HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", WAIT);
      assertThat(answers.statuses()).as(answers.toString()).containsExactly(200, 200);
      assertThat(answers.text()).contains("\r\n\r\nFirstHTTP/1.1 200").endsWith("\r\n\r\nSecond");
    }
    Vertx vertx = Vertx.vertx();
    try {
      for (boolean upgrade : List.of(false, true)) {
        HttpClient http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(upgrade));
        // The body is asked for as the response arrives, on its event loop: asked later, it may have gone by.
        Http2Answer answer = http2.request(HttpMethod.POST, h2cPort, "127.0.0.1", "/apple")
          .compose(request -> request.send("hello"))
          .compose(response -> response.body().map(body -> new Http2Answer(response.version(), response.statusCode(),
            body.toString())))
          .toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(answer.version()).as(upgrade ? "by upgrade" : "by prior knowledge").isEqualTo(HttpVersion.HTTP_2);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("First");
        http2.close().toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private record Http2Answer(HttpVersion version, int status, String body) {
  }

  /**
   * Requests with each kind of version after {@code before}, a request that is served, on the same connection: 1.x
   * above 1.1 served as 1.1, another major version 505, each of {@code malformed} 400, each with the usual JSON and
   * the close.
   */
  private static void answersVersions(int port, String before, List<String> malformed) {
    RawHttp.Exchange newerMinor = answerAfter(port, before, "GET /a HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(newerMinor.status()).as(newerMinor.toString()).isEqualTo(200);
    assertThat(newerMinor.text()).startsWith("HTTP/1.1 200").endsWith("First");

    for (String version : List.of("HTTP/2.0", "HTTP/0.9", "HTTP/9.9")) {
      RawHttp.Exchange answer = answerAfter(port, before, "GET /apple " + version + "\r\nHost: x\r\n\r\n");
      assertThat(answer.status()).as(version + " → " + answer).isEqualTo(505);
      assertThat(answer.text()).as(version).contains("{\"status\":505,\"error\":\"" + version + " is not served: this"
        + " port speaks HTTP/1.0 and HTTP/1.1\",\"path\":\"/apple\"}");
      assertThat(answer.closed()).as(version).isTrue();
    }
    for (String version : malformed) {
      RawHttp.Exchange answer = answerAfter(port, before, "POST /apple " + version + "\r\nHost: x\r\n\r\n");
      assertThat(answer.status()).as(version + " → " + answer).isEqualTo(400);
      assertThat(answer.text()).as(version).contains("{\"status\":400,\"error\":\"malformed HTTP"
        + " version '" + version + "': expected HTTP/1.1\",\"path\":\"/apple\"}");
      assertThat(answer.closed()).as(version).isTrue();
    }
  }

  /** The answer to {@code request} sent behind {@code before} on one connection, once {@code before} got its 200. */
  private static RawHttp.Exchange answerAfter(int port, String before, String request) {
    RawHttp.Exchange answers = RawHttp.exchange(port, before + request, WAIT);
    if (before.isEmpty()) {
      return answers;
    }
    assertThat(answers.statuses()).as(answers.toString()).hasSize(2).startsWith(200);
    String text = answers.text();
    return new RawHttp.Exchange(answers.statuses().subList(1, 2), text.substring(text.indexOf("HTTP/", 1)),
      answers.closed(), answers.elapsed());
  }

  @Test
  @DisplayName("malformed chunked bodies get 400 with the usual JSON before the connection closes")
  void malformedChunkedBodies() {
    List<String> chunks = List.of("zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
      "-5\r\nabc\r\n0\r\n\r\n", "0x3\r\nabc\r\n0\r\n\r\n", "\r\n\r\n", "3;\u0001\r\nabc\r\n0\r\n\r\n",
      "3\r\nabcXX0\r\n\r\n", "3\r\nabc\r\n0\r\nbad trailer\r\n\r\n");
    for (String chunk : chunks) {
      for (int repeat = 0; repeat < 3; repeat++) {
        RawHttp.Exchange answer = RawHttp.exchange(port,
          "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk, WAIT);
        assertThat(answer.status()).as(chunk + " → " + answer).isEqualTo(400);
        assertThat(answer.text()).contains("\"error\":\"malformed request body: ");
        assertThat(answer.closed()).as(chunk + " → " + answer).isTrue();
      }
    }
  }

  @Test
  @DisplayName("a request line, headers or a body over the limits get 414, 431 and 413")
  void oversized() {
    String big = "x".repeat(2 * MAX_BODY_BYTES);
    for (int repeat = 0; repeat < 3; repeat++) {
      assertThat(RawHttp.exchange(port, "GET /a" + "b".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", WAIT).status())
        .isEqualTo(414);
      assertThat(RawHttp.exchange(port, "GET /a HTTP/1.1\r\nHost: x\r\nX: " + "b".repeat(9_000) + "\r\n\r\n", WAIT)
        .status()).isEqualTo(431);
      assertThat(RawHttp.exchange(port, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length()
        + "\r\n\r\n" + big, WAIT).status()).isEqualTo(413);
      assertThat(RawHttp.exchange(port, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n", WAIT).status()).isEqualTo(413);
    }
  }

  @Test
  @DisplayName("a connection that never finishes its request head is closed at the header deadline, unanswered; a"
    + " body that never arrives whole gets 408")
  void slowClients() {
    for (String partial : List.of("", "G", "GET /a HTTP/1.1\r\n", "GET /a HTTP/1.1\r\nHost: x\r\n")) {
      RawHttp.Exchange answer = RawHttp.exchange(port, partial, WAIT);
      assertThat(answer.closed()).as("'" + partial.strip() + "' → " + answer).isTrue();
      assertThat(answer.statuses()).isEmpty();
      assertThat(answer.elapsed()).isBetween(Duration.ofMillis(HEADER_TIMEOUT_MS),
        Duration.ofMillis(HEADER_TIMEOUT_MS).plus(SLACK));
    }
    RawHttp.Exchange shortBody = RawHttp.exchange(port, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
      WAIT);
    assertThat(shortBody.status()).as(shortBody.toString()).isEqualTo(408);
    assertThat(shortBody.closed()).isTrue();
    assertThat(shortBody.elapsed()).isLessThan(Duration.ofMillis(BODY_TIMEOUT_MS).plus(SLACK));
  }

  @Test
  @DisplayName("a request target that is no path ('*', an authority, a bare name) gets 400 naming it, and the connection"
    + " serves the next request")
  void targetsThatAreNoPath() {
    for (String request : List.of("OPTIONS *", "CONNECT example.com:443", "GET apple")) {
      String target = request.substring(request.indexOf(' ') + 1);
      RawHttp.Exchange answers = RawHttp.exchange(port, request + " HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /apple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", WAIT);
      assertThat(answers.statuses()).as(answers.toString()).containsExactly(400, 200);
      assertThat(answers.text()).as(request).contains("{\"status\":400,\"error\":\"request target '" + target
        + "' is no path: this port serves paths starting with '/'\",\"path\":\"" + target + "\"}");
      assertThat(answers.text()).as(request).endsWith("First");
    }
  }

  @Test
  @DisplayName("the management port answers a malformed head, another HTTP version, an HTTP/2 preface and a malformed"
    + " path with the same JSON errors as the gateway, and goes on serving")
  void managementPort() {
    int management = URI.create(node.managementUrl("node", "/")).getPort();
    RawHttp.Exchange malformed = RawHttp.exchange(management,
      "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", WAIT);
    assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
    assertThat(malformed.text()).contains("application/json", "{\"status\":400,\"error\":\"malformed request: ");
    assertThat(malformed.closed()).as(malformed.toString()).isTrue();

    RawHttp.Exchange version = RawHttp.exchange(management, "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", WAIT);
    assertThat(version.status()).as(version.toString()).isEqualTo(505);
    assertThat(version.text()).contains("{\"status\":505,\"error\":\"HTTP/2.0 is not served: this port speaks HTTP/1.0"
      + " and HTTP/1.1\",\"path\":\"/health\"}");
    assertThat(version.closed()).as(version.toString()).isTrue();

    RawHttp.Exchange preface = RawHttp.exchange(management, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", WAIT);
    assertThat(preface.status()).as(preface.toString()).isEqualTo(505);
    assertThat(preface.text()).contains("\"error\":\"an HTTP/2 connection preface: the management port speaks"
      + " HTTP/1.1\"");

    RawHttp.Exchange path = RawHttp.exchange(management, "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      WAIT);
    assertThat(path.status()).as(path.toString()).isEqualTo(400);
    assertThat(path.text()).contains("{\"status\":400,\"error\":\"malformed path: Invalid escape sequence: %zz\","
      + "\"path\":\"/%zz\"}");

    assertThat(Http.get(node.managementUrl("node", "/health")).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("thirty pipelined requests on one connection are all answered, in order, then the connection closes as"
    + " the last one asked")
  void pipelined() {
    StringBuilder requests = new StringBuilder();
    IntStream.range(0, 30).forEach(i -> requests.append("GET /").append(i % 2 == 0 ? "apple" : "zebra")
      .append(" HTTP/1.1\r\nHost: x\r\n").append(i == 29 ? "Connection: close\r\n\r\n" : "\r\n"));

    RawHttp.Exchange answers = RawHttp.exchange(port, requests.toString(), WAIT);

    assertThat(answers.closed()).as(answers.toString()).isTrue();
    assertThat(answers.text().toLowerCase(Locale.ROOT)).as("the last answer says it closes, the others do not")
      .containsOnlyOnce("connection: close");
    assertThat(answers.statuses()).hasSize(30).containsOnly(200);
    assertThat(Pattern.compile("\r\n\r\n(First|Second)").matcher(answers.text()).results().map(body -> body.group(1)))
      .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> i % 2 == 0 ? "First" : "Second").toList());
  }

  @Test
  @DisplayName("beyond maxConnections a new connection is closed at once; once those close, the node accepts again")
  void connectionCap() throws IOException {
    Poll.until("no connection left open", WAIT, () -> Http.get(node.managementUrl("node", "/health")).json()
      .getJsonObject("inFlight").getInteger("gatewayConnections"), open -> open == 0);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        held.add(RawHttp.connect(port));
      }
      RawHttp.Exchange extra = RawHttp.exchange(port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", WAIT);
      assertThat(extra.closed()).as(extra.toString()).isTrue();
      assertThat(extra.statuses()).isEmpty();
      assertThat(extra.elapsed()).isLessThan(Duration.ofMillis(HEADER_TIMEOUT_MS));
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }
}
