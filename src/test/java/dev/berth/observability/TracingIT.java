package dev.berth.observability;

import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.OtlpCollector;
import dev.berth.testing.Poll;
import dev.berth.testing.WorkerProcess;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Traces as a user with a collector sees them: three JVMs (a gateway, a Java worker, a bridge node with a Python
 * worker) export with OTLP to a collector in the test, set up only by {@code OTEL_TRACES_EXPORTER} and
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TracingIT {

  private static final Duration BOUND = Duration.ofSeconds(60);
  /** The gateway's server and send spans, and the worker node's. */
  private static final int SPANS_PER_REQUEST = 3;
  private static final String TOKEN = "tracing-it-token-" + Long.toHexString(System.nanoTime());

  private final Path logs = ItLogs.directory(TracingIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, List.of("gateway", "worker-first"));
  private final int bridgePort = FreePorts.next();
  private OtlpCollector collector;
  private WorkerProcess python;

  @BeforeAll
  void start() {
    collector = new OtlpCollector();
    for (String node : List.of("gateway", "worker-first", "bridge")) {
      Map<String, String> env = cluster.env(node);
      env.put("OTEL_TRACES_EXPORTER", "otlp");
      env.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint());
      env.put("OTEL_BSP_SCHEDULE_DELAY", "100");
    }
    cluster.env("bridge").put("BERTH_BRIDGE_TOKEN", TOKEN);
    cluster.env("bridge").put("BERTH_BRIDGE_PORT", String.valueOf(bridgePort));
    cluster.start("gateway", "conf/gateway.json");
    cluster.start("worker-first", "conf/worker-first.json");
    cluster.start("bridge", "conf/bridge.json");
    cluster.awaitHealthy(BOUND);
    python = WorkerProcess.start(WorkerProcess.Language.PYTHON, "python-1", "python", bridgePort, TOKEN, logs)
      .awaitServing(BOUND);
    Poll.until("/zebra served by Python", BOUND, () -> Http.get(cluster.gatewayUrl("/zebra")).body(),
      body -> body.startsWith("Hello from Python worker python-1"));
  }

  @AfterAll
  void stop() {
    if (python != null) {
      python.close();
    }
    cluster.close();
    collector.close();
  }

  @Test
  @DisplayName("a client's traceparent: the answer continues its trace, and the gateway's and the worker's spans join it")
  void clientTraceContinued() throws IOException {
    String traceId = randomHex(16);
    String clientSpan = randomHex(8);

    HttpResponse<byte[]> response = get("/apple", "00-" + traceId + "-" + clientSpan + "-01");

    assertThat(response.statusCode()).isEqualTo(200);
    String answered = response.headers().firstValue("traceparent").orElseThrow();
    assertThat(answered).matches("00-" + traceId + "-[0-9a-f]{16}-0[0-9a-f]").doesNotContain(clientSpan);
    List<OtlpCollector.Span> trace = collector.awaitTrace(traceId, SPANS_PER_REQUEST, BOUND);
    OtlpCollector.Span server = only(trace, "gateway", "SPAN_KIND_SERVER");
    OtlpCollector.Span send = only(trace, "gateway", "SPAN_KIND_CLIENT");
    OtlpCollector.Span worker = only(trace, "worker-first", "SPAN_KIND_SERVER");
    assertThat(server.parentSpanId()).isEqualTo(clientSpan);
    assertThat(answered).contains(server.spanId());
    assertThat(send.parentSpanId()).isEqualTo(server.spanId());
    assertThat(worker.parentSpanId()).isEqualTo(send.spanId());
  }

  @Test
  @DisplayName("a request without a traceparent gets a new trace, which the answer names")
  void newTraceStarted() throws IOException {
    HttpResponse<byte[]> response = get("/apple", null);

    String answered = response.headers().firstValue("traceparent").orElseThrow();
    assertThat(answered).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]");
    String traceId = answered.split("-")[1];
    assertThat(collector.awaitTrace(traceId, SPANS_PER_REQUEST, BOUND))
      .anyMatch(span -> span.service().equals("gateway") && span.parentSpanId().isEmpty());
  }

  @Test
  @DisplayName("a bridge worker sees the trace in the request's headers, and the bridge node's span joins the trace")
  void bridgeWorkerSeesTheTrace() throws IOException {
    String traceId = randomHex(16);

    HttpResponse<byte[]> response = get("/z/headers", "00-" + traceId + "-" + randomHex(8) + "-01");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject headers = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    String seen = headers.getJsonArray("traceparent").getString(0);
    assertThat(seen).startsWith("00-" + traceId + "-");
    List<OtlpCollector.Span> trace = collector.awaitTrace(traceId, SPANS_PER_REQUEST, BOUND);
    OtlpCollector.Span server = only(trace, "gateway", "SPAN_KIND_SERVER");
    assertThat(seen).contains(server.spanId());
    assertThat(only(trace, "bridge", "SPAN_KIND_SERVER").parentSpanId())
      .isEqualTo(only(trace, "gateway", "SPAN_KIND_CLIENT").spanId());
  }

  @Test
  @DisplayName("the management port is not traced: scrapes and health checks make no spans")
  void managementNotTraced() throws IOException {
    String traceId = randomHex(16);

    HttpResponse<byte[]> health = Http.exchange(HttpRequest.newBuilder(
        URI.create(cluster.managementUrl("gateway", "/health")))
      .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01"));
    // A traced request after it: once its spans are in, the health check's would have been too.
    String marker = randomHex(16);
    get("/apple", "00-" + marker + "-" + randomHex(8) + "-01");
    collector.awaitTrace(marker, SPANS_PER_REQUEST, BOUND);

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("traceparent")).isEmpty();
    assertThat(collector.trace(traceId)).isEmpty();
  }

  private HttpResponse<byte[]> get(String path, String traceparent) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.gatewayUrl(path)));
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    return Http.exchange(request);
  }

  private static OtlpCollector.Span only(List<OtlpCollector.Span> trace, String service, String kind) {
    List<OtlpCollector.Span> matching = trace.stream()
      .filter(span -> span.service().equals(service) && span.kind().equals(kind)).toList();
    assertThat(matching).as("%s spans of %s in %s", kind, service, trace).hasSize(1);
    return matching.get(0);
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zeros, which W3C calls invalid
    return HexFormat.of().formatHex(random);
  }
}
