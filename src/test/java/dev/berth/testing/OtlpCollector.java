package dev.berth.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A collector in the test: takes what OpenTelemetry's OTLP exporter posts to {@code /v1/traces} (HTTP, protobuf), as a
 * real collector would, and keeps every span with the {@code service.instance.id} of the process that sent it.
 */
public final class OtlpCollector implements AutoCloseable {

  /** One received span; ids in lower-case hex, {@code parentSpanId} empty for a root span. */
  public record Span(String service, String traceId, String spanId, String parentSpanId, String name, String kind) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public OtlpCollector() {
    server = vertx.createHttpServer().requestHandler(this::receive);
    try {
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the OTLP collector could not listen", e);
    }
  }

  /** What a node's {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set to. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Waits until {@code spans} spans of {@code traceId} have arrived: they come in batches, as each one ends. */
  public List<Span> awaitTrace(String traceId, int spans, Duration timeout) {
    return Poll.until(spans + " spans of trace " + traceId, timeout, () -> trace(traceId),
      trace -> trace.size() >= spans).value();
  }

  public List<Span> trace(String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  private void receive(HttpServerRequest request) {
    if (!request.path().equals("/v1/traces")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      try {
        keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
        request.response().putHeader("content-type", "application/x-protobuf")
          .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        request.response().setStatusCode(400).end(e.getMessage());
      }
    });
  }

  private void keep(ExportTraceServiceRequest export) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans resource : export.getResourceSpansList()) {
      String service = resource.getResource().getAttributesList().stream()
        .filter(attribute -> attribute.getKey().equals("service.instance.id"))
        .map(KeyValue::getValue).map(value -> value.getStringValue()).findFirst().orElse("");
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        scope.getSpansList().forEach(span -> spans.add(new Span(service, hex.formatHex(span.getTraceId().toByteArray()),
          hex.formatHex(span.getSpanId().toByteArray()), hex.formatHex(span.getParentSpanId().toByteArray()),
          span.getName(), span.getKind().name())));
      }
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
