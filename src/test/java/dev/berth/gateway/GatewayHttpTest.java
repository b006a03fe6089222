package dev.berth.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.cluster.ClusterCertificates;
import dev.berth.config.ConnectionLimits;
import dev.berth.config.FailoverConfig;
import dev.berth.config.GatewayConfig;
import dev.berth.config.Routes;
import dev.berth.config.ServerTlsConfig;
import dev.berth.config.WorkerConfig;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.testing.FreePorts;
import dev.berth.worker.WorkerHandlers;
import dev.berth.worker.WorkerMetrics;
import dev.berth.worker.WorkerVerticle;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway and real workers on one Vert.x, over real HTTP. A second gateway routes single letters to addresses
 * whose consumers misbehave in each way a worker in another language could.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class GatewayHttpTest {

  private static final String NODE = "node-under-test";
  private static final int TIMEOUT_MS = 400;
  private static final int MAX_BODY = 1024;
  private static final int MAX_BODY_IN_FLIGHT = MAX_BODY + MAX_BODY / 2;

  private final int port = FreePorts.next();
  private final int faultPort = FreePorts.next();
  private final GatewayLoad faultLoad = GatewayLoad.idle();
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private WebClient client;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    accessLog.start();
    accessLogger().addAppender(accessLog);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost"));
    GatewayConfig routed = new GatewayConfig("127.0.0.1", port, 1, TIMEOUT_MS, MAX_BODY, MAX_BODY_IN_FLIGHT,
      Routes.DEFAULT, FailoverConfig.DEFAULT, ConnectionLimits.DEFAULT, false, null, true);
    Map<String, String> faults = new LinkedHashMap<>();
    faults.put("E", "echo");
    faults.put("F", "fails");
    faults.put("G", "garbage");
    faults.put("S", "slow");
    faults.put("U", "unserved");
    GatewayConfig faulty = new GatewayConfig("127.0.0.1", faultPort, 1, TIMEOUT_MS, MAX_BODY, MAX_BODY_IN_FLIGHT,
      Routes.of(faults), FailoverConfig.DEFAULT, ConnectionLimits.DEFAULT, false, null, false);
    vertx.eventBus().<Object>consumer("echo", message ->
      message.reply(new BusReply(200, "application/json",
        BusRequest.fromJson(message.body()).toJson().toBuffer(), NODE).toJsonBinary()));
    vertx.eventBus().<Object>consumer("fails", message -> {
      String path = ((JsonObject) message.body()).getString("path");
      message.fail(path.startsWith("/f418") ? 418 : 7, "cannot brew " + path);
    });
    vertx.eventBus().consumer("garbage", message -> message.reply(new JsonObject().put("status", "teapot")));
    Future.all(List.of(
        vertx.deployVerticle(worker(WorkerConfig.fixedText("first", "First", 0, 1))),
        vertx.deployVerticle(worker(WorkerConfig.fixedText("second", "Second", 0, 1))),
        vertx.deployVerticle(worker(WorkerConfig.fixedText("slow", "Slow", TIMEOUT_MS * 5, 1))),
        vertx.deployVerticle(new GatewayVerticle(routed, GatewayLoad.idle(), Replicas.onLocalBus(vertx), GatewayMetrics.none(),
          TraceHeaders.propagated(W3CTraceContextPropagator.getInstance()))),
        vertx.deployVerticle(new GatewayVerticle(faulty, faultLoad, Replicas.onLocalBus(vertx), GatewayMetrics.none(),
          TraceHeaders.propagated(W3CTraceContextPropagator.getInstance())))))
      .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void detachAccessLog() {
    accessLogger().detachAppender(accessLog);
  }

  private static Logger accessLogger() {
    return (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
  }

  private static WorkerVerticle worker(WorkerConfig config) {
    return new WorkerVerticle(config, WorkerHandlers.create(config), NODE, null, new AtomicInteger(),
      WorkerMetrics.none().of(config.address()));
  }

  @Test
  @DisplayName("a path starting with A-M answers First, served by the worker's node")
  void firstHalf(VertxTestContext testContext) {
    client.get(port, "localhost", "/apple").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsString()).isEqualTo("First");
      assertThat(response.getHeader("X-Served-By")).isEqualTo(NODE);
      assertThat(response.getHeader("Content-Type")).isEqualTo("text/plain; charset=utf-8");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a path starting with N-Z, in any case, answers Second")
  void secondHalf(VertxTestContext testContext) {
    client.get(port, "localhost", "/Zebra").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsString()).isEqualTo("Second");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a percent-encoded first letter is routed by its decoded value")
  void encodedLetter(VertxTestContext testContext) {
    client.get(port, "localhost", "/%4Eut").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.bodyAsString()).isEqualTo("Second");
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0} gets 404")
  @ValueSource(strings = {"/", "/1abc", "/-x", "/%C3%A9", "/@home"})
  @DisplayName("a path that does not start with a letter gets 404 with a JSON error naming it")
  void noRoute(String path, VertxTestContext testContext) {
    client.get(port, "localhost", path).send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
        .put("status", 404).put("error", "no route for '" + path + "'").put("path", path));
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
  @DisplayName("every method is forwarded with path, query, headers and body")
  void everyMethodIsForwarded(String methodName, VertxTestContext testContext) {
    HttpMethod method = HttpMethod.valueOf(methodName);
    client.request(method, faultPort, "localhost", "/echo/x?q=1&r=%20")
      .putHeader("X-Trace", "t-1")
      .sendBuffer(Buffer.buffer(new byte[] {0, 1, (byte) 0xff}))
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        BusRequest seen = BusRequest.fromJson(response.bodyAsJsonObject());
        assertThat(seen.method()).isEqualTo(method.name());
        assertThat(seen.path()).isEqualTo("/echo/x");
        assertThat(seen.query()).isEqualTo("q=1&r=%20");
        assertThat(seen.headers()).containsEntry("x-trace", List.of("t-1"));
        assertThat(seen.body().getBytes()).containsExactly(0, 1, 0xff);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("a client's traceparent is continued under the gateway's own span id, in the answer and in the request"
    + " the worker gets")
  void traceContinued(VertxTestContext testContext) {
    String client = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    this.client.get(faultPort, "localhost", "/echo").putHeader("traceparent", client).send()
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        String answered = response.getHeader("traceparent");
        assertThat(answered).matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01").isNotEqualTo(client);
        assertThat(BusRequest.fromJson(response.bodyAsJsonObject()).headers())
          .containsEntry("traceparent", List.of(answered));
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("without a traceparent, the gateway starts a trace; an answer from the gateway itself carries one too")
  void traceStarted(VertxTestContext testContext) {
    Checkpoint answers = testContext.checkpoint(2);
    client.get(faultPort, "localhost", "/echo").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.getHeader("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      assertThat(BusRequest.fromJson(response.bodyAsJsonObject()).headers().get("traceparent"))
        .containsExactly(response.getHeader("traceparent"));
      answers.flag();
    })));
    client.get(port, "localhost", "/1abc").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      answers.flag();
    })));
  }

  @Test
  @DisplayName("HEAD is forwarded and answered without a body")
  void head(VertxTestContext testContext) {
    client.head(port, "localhost", "/apple").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("X-Served-By")).isEqualTo(NODE);
      assertThat(response.body()).isNull();
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("an address without a consumer gets 503")
  void noWorker(VertxTestContext testContext) {
    expectError(testContext, faultPort, HttpMethod.GET, "/unserved", null, 503, "no worker for address 'unserved'");
  }

  @Test
  @DisplayName("a worker slower than the request timeout gets 504 after the timeout")
  void timeout(VertxTestContext testContext) {
    long start = System.nanoTime();
    client.get(faultPort, "localhost", "/slow").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(response.bodyAsJsonObject().getString("error"))
        .isEqualTo("no reply from address 'slow' within " + TIMEOUT_MS + " ms");
      assertThat(elapsedMs).isBetween((long) TIMEOUT_MS, TIMEOUT_MS * 4L);
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a worker failing with a 4xx code passes that code to the client")
  void workerFailureWithHttpCode(VertxTestContext testContext) {
    expectError(testContext, faultPort, HttpMethod.GET, "/f418", null, 418, "worker for address 'fails' failed: cannot brew /f418");
  }

  @Test
  @DisplayName("a worker failing with a code that is not an HTTP error status gets 500")
  void workerFailureWithOtherCode(VertxTestContext testContext) {
    expectError(testContext, faultPort, HttpMethod.GET, "/fx", null, 500, "worker for address 'fails' failed: cannot brew /fx");
  }

  @Test
  @DisplayName("a reply that does not follow the protocol gets 502")
  void invalidReply(VertxTestContext testContext) {
    expectError(testContext, faultPort, HttpMethod.GET, "/garbage", null, 502,
      "invalid reply from address 'garbage': field \"status\" must be an integer");
  }

  @Test
  @DisplayName("a body over the limit gets 413")
  void bodyTooLarge(VertxTestContext testContext) {
    expectError(testContext, port, HttpMethod.POST, "/apple", Buffer.buffer(new byte[MAX_BODY + 1]), 413,
      "request body is larger than " + MAX_BODY + " bytes");
  }

  @Test
  @DisplayName("bodies beyond the in-flight budget get 503 with Retry-After, unread, until the held ones are answered")
  void bodyBudget(Vertx vertx, VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> held = client.post(faultPort, "localhost", "/slow").sendBuffer(Buffer.buffer(new byte[MAX_BODY]));
    whenHolding(vertx, MAX_BODY)
      .compose(holding -> client.post(faultPort, "localhost", "/echo").sendBuffer(Buffer.buffer(new byte[MAX_BODY])))
      .compose(refused -> {
        testContext.verify(() -> {
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
          assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("the gateway holds " + MAX_BODY
            + " bytes of request bodies, at most " + MAX_BODY_IN_FLIGHT + " at once: retry shortly");
        });
        return client.get(faultPort, "localhost", "/echo").send();
      })
      .compose(withoutBody -> {
        testContext.verify(() -> assertThat(withoutBody.statusCode()).as("a request without a body").isEqualTo(200));
        return held;
      })
      .compose(answered -> {
        testContext.verify(() -> assertThat(answered.statusCode()).as("the held request").isEqualTo(504));
        return client.post(faultPort, "localhost", "/echo").sendBuffer(Buffer.buffer(new byte[MAX_BODY]));
      })
      .compose(accepted -> {
        testContext.verify(() -> assertThat(accepted.statusCode()).isEqualTo(200));
        // The gateway lets go of a body when its response has ended, which the client may see first.
        return whenHolding(vertx, 0);
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a malformed percent-escape in the path gets 400")
  void malformedPath(VertxTestContext testContext) {
    expectError(testContext, port, HttpMethod.GET, "/%zz", null, 400, "malformed path: Invalid escape sequence: %zz");
  }

  @Test
  @DisplayName("after every kind of failure the gateway keeps serving")
  void keepsServingAfterFailures(VertxTestContext testContext) {
    Future.all(List.of(
        client.get(faultPort, "localhost", "/unserved").send(),
        client.get(faultPort, "localhost", "/slow").send(),
        client.get(faultPort, "localhost", "/fx").send(),
        client.get(faultPort, "localhost", "/garbage").send(),
        client.get(port, "localhost", "/%zz").send(),
        client.post(port, "localhost", "/a").sendBuffer(Buffer.buffer(new byte[MAX_BODY * 2]))))
      .compose(failures -> client.get(port, "localhost", "/apple").send())
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo("First");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("with gateway.accessLog, each answered request is one INFO line of berth.access: client, request,"
    + " status, bytes sent, the gateway's time, address and worker; without it, none")
  void accessLog(Vertx vertx, VertxTestContext testContext) {
    Promise<String> traceparent = Promise.promise();
    client.get(faultPort, "localhost", "/echo").send()
      .compose(unlogged -> client.get(port, "localhost", "/apple?x=1").send())
      .compose(first -> {
        traceparent.complete(first.getHeader("traceparent"));
        return client.get(port, "localhost", "/1abc").send();
      })
      .compose(unrouted -> whenLogged(vertx, 2))
      .onComplete(testContext.succeeding(lines -> testContext.verify(() -> {
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(Level.INFO));
        assertThat(lines.get(0).getFormattedMessage()).matches("client=127\\.0\\.0\\.1 method=GET path=\"/apple\\?x=1\""
          + " version=http/1\\.1 status=200 bytes=5 ms=\\d+\\.\\d{3} address=first node=\"" + NODE + "\" trace=[0-9a-f]{32}")
          .endsWith(" trace=" + traceparent.future().result().split("-")[1]);
        assertThat(lines.get(1).getFormattedMessage()).matches("client=127\\.0\\.0\\.1 method=GET path=\"/1abc\""
          + " version=http/1\\.1 status=404 bytes=\\d+ ms=\\d+\\.\\d{3} address=- node=- trace=[0-9a-f]{32}");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("with gateway.tls.clientCa, a worker gets the subject of the client's certificate in"
    + " x-berth-client-subject, and each access log line ends with it, a refused head's too; a client's own header of"
    + " that name reaches no worker, with TLS or without")
  void clientSubject(Vertx vertx, @TempDir Path certs, VertxTestContext testContext) throws Exception {
    new ClusterCertificates(certs).make(List.of("localhost", "client-a"));
    int mutualPort = FreePorts.next();
    GatewayConfig mutual = new GatewayConfig("127.0.0.1", mutualPort, 1, TIMEOUT_MS, MAX_BODY, MAX_BODY_IN_FLIGHT,
      Routes.of(Map.of("E", "echo")), FailoverConfig.DEFAULT, ConnectionLimits.DEFAULT, false,
      new ServerTlsConfig(certs.resolve("localhost.pem"), certs.resolve("localhost-key.pem"), certs.resolve("ca.pem")),
      true);
    PemTrustOptions authority = new PemTrustOptions().addCertPath(certs.resolve("ca.pem").toString());
    PemKeyCertOptions clientA = new PemKeyCertOptions().setCertPath(certs.resolve("client-a.pem").toString())
      .setKeyPath(certs.resolve("client-a-key.pem").toString());
    WebClient webClientA = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(authority)
      .setKeyCertOptions(clientA));
    Promise<JsonObject> plainHeaders = Promise.promise();
    Promise<JsonObject> mutualHeaders = Promise.promise();
    client.get(faultPort, "localhost", "/echo").putHeader("X-Berth-Client-Subject", "CN=forged").send()
      .onSuccess(echoed -> plainHeaders.complete(echoed.bodyAsJsonObject().getJsonObject("headers")))
      .compose(echoed -> vertx.deployVerticle(new GatewayVerticle(mutual, GatewayLoad.idle(), Replicas.onLocalBus(vertx),
        GatewayMetrics.none(), TraceHeaders.none())))
      .compose(deployed -> webClientA.get(mutualPort, "localhost", "/echo")
        .putHeader("X-Berth-Client-Subject", "CN=forged").send())
      .onSuccess(echoed -> mutualHeaders.complete(echoed.bodyAsJsonObject().getJsonObject("headers")))
      .compose(echoed -> vertx.createNetClient(new NetClientOptions().setSsl(true)
        .setHostnameVerificationAlgorithm("HTTPS").setTrustOptions(authority).setKeyCertOptions(clientA))
        .connect(mutualPort, "localhost"))
      .compose(socket -> untilClosed(socket, "GET /echo HTTP/2.0\r\nHost: localhost\r\n\r\n"))
      .compose(refused -> {
        // What the refused head got, before its log line is waited for: a failure then says what came back.
        testContext.verify(() -> assertThat(refused).startsWith("HTTP/1.0 505 "));
        return whenLogged(vertx, 2);
      })
      .onComplete(testContext.succeeding(lines -> testContext.verify(() -> {
        assertThat(mutualHeaders.future().result().getJsonArray("x-berth-client-subject")).containsExactly("CN=client-a");
        assertThat(plainHeaders.future().result().containsKey("x-berth-client-subject")).isFalse();
        assertThat(lines).extracting(ILoggingEvent::getFormattedMessage).satisfiesExactly(
          echo -> assertThat(echo).matches("client=127\\.0\\.0\\.1 method=GET path=\"/echo\" version=http/1\\.1"
            + " status=200 .* trace=- subject=\"CN=client-a\""),
          refused -> assertThat(refused).matches("client=127\\.0\\.0\\.1 method=- path=- version=- status=505 .*"
            + " trace=- subject=\"CN=client-a\""));
        testContext.completeNow();
      })));
  }

  /** Writes {@code request} and completes with all the server sent until it closed the connection. */
  private static Future<String> untilClosed(NetSocket socket, String request) {
    Buffer received = Buffer.buffer();
    Promise<String> answer = Promise.promise();
    socket.handler(received::appendBuffer).closeHandler(closed -> answer.complete(received.toString()));
    socket.write(request);
    return answer.future();
  }

  /** Completes with the access log's lines once it holds {@code count}; fails, with those it holds, after 5 s. */
  private Future<List<ILoggingEvent>> whenLogged(Vertx vertx, int count) {
    Promise<List<ILoggingEvent>> logged = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    vertx.setPeriodic(10, timer -> {
      List<ILoggingEvent> lines = accessLines();
      if (lines.size() >= count && vertx.cancelTimer(timer)) {
        logged.complete(lines);
      } else if (System.nanoTime() - deadline > 0 && vertx.cancelTimer(timer)) {
        logged.fail(new AssertionError("the access log holds " + lines.size() + " of " + count + " lines after 5 s: "
          + lines.stream().map(ILoggingEvent::getFormattedMessage).toList()));
      }
    });
    return logged.future();
  }

  private List<ILoggingEvent> accessLines() {
    synchronized (accessLog) {
      return List.copyOf(accessLog.list);
    }
  }

  /** Completes once the fault gateway holds {@code bytes} of request bodies. */
  private Future<Void> whenHolding(Vertx vertx, long bytes) {
    Promise<Void> holding = Promise.promise();
    vertx.setPeriodic(10, timer -> {
      if (faultLoad.bodyBytes().get() == bytes && vertx.cancelTimer(timer)) {
        holding.complete();
      }
    });
    return holding.future();
  }

  private void expectError(VertxTestContext testContext, int target, HttpMethod method, String path, Buffer body,
                           int status, String error) {
    Future<HttpResponse<Buffer>> sent = body == null
      ? client.request(method, target, "localhost", path).send()
      : client.request(method, target, "localhost", path).sendBuffer(body);
    sent.onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(status);
      assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("status", status).put("error", error).put("path", path));
      testContext.completeNow();
    })));
  }
}
