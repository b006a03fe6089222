package dev.berth.observability;

import dev.berth.gateway.TraceHeaders;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxBuilder;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node's traces: OpenTelemetry's SDK configured by the standard {@code OTEL_*} variables (or {@code otel.*} system
 * properties), with berth's defaults underneath: no exporter, OTLP over HTTP when one is chosen, service {@code berth},
 * the node's name as {@code service.instance.id}. With an exporter, Vert.x traces each HTTP request and event-bus
 * message through it and carries W3C {@code traceparent} between nodes; without one, the gateway only passes each
 * request's trace context on. {@code OTEL_SDK_DISABLED=true} turns both off.
 */
public final class NodeTracing {

  /** What a user gets without setting anything: every request traced and its context passed on, nothing exported. */
  static final Map<String, String> DEFAULTS = Map.of(
    "otel.traces.exporter", "none",
    "otel.metrics.exporter", "none",
    "otel.logs.exporter", "none",
    "otel.exporter.otlp.protocol", "http/protobuf",
    "otel.service.name", "berth",
    // berth names the instance itself; the SDK's random id would be replaced, with a warning.
    "otel.java.disabled.resource.providers", "io.opentelemetry.sdk.autoconfigure.ServiceInstanceIdResourceProvider");
  /** How long a stopping node waits for its last spans to be exported. */
  static final long SHUTDOWN_TIMEOUT_MS = 5_000;
  private static final String SERVICE_INSTANCE_ID = "service.instance.id";

  private final OpenTelemetrySdk sdk;
  private final boolean exporting;

  private NodeTracing(OpenTelemetrySdk sdk, boolean exporting) {
    this.sdk = sdk;
    this.exporting = exporting;
  }

  public static NodeTracing of(String nodeName) {
    AtomicBoolean disabled = new AtomicBoolean();
    AtomicBoolean exporting = new AtomicBoolean();
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
      .addPropertiesSupplier(() -> DEFAULTS)
      .addPropertiesCustomizer(config -> {
        disabled.set(config.getBoolean("otel.sdk.disabled", false));
        exporting.set(!config.getList("otel.traces.exporter").equals(List.of("none")));
        return withInstance(config.getString("otel.resource.attributes", ""), nodeName);
      })
      // The node flushes its spans when it stops: a shutdown hook would not run after the node's halt.
      .disableShutdownHook()
      .build()
      .getOpenTelemetrySdk();
    return new NodeTracing(disabled.get() ? null : sdk, exporting.get());
  }

  /**
   * The node's name as {@code service.instance.id} rather than the SDK's random id, unless OTEL_RESOURCE_ATTRIBUTES
   * names the instance itself.
   */
  static Map<String, String> withInstance(String attributes, String nodeName) {
    if (Arrays.stream(attributes.split(",")).anyMatch(pair -> pair.trim().startsWith(SERVICE_INSTANCE_ID + "="))) {
      return Map.of();
    }
    String instance = SERVICE_INSTANCE_ID + "=" + URLEncoder.encode(nodeName, StandardCharsets.UTF_8);
    return Map.of("otel.resource.attributes", attributes.isBlank() ? instance : attributes + "," + instance);
  }

  /** Vert.x's tracer, when spans go somewhere: with the exporter {@code none} spans would only cost. */
  public void applyTo(VertxBuilder builder) {
    if (sdk != null && exporting) {
      builder.withTracer(new OpenTelemetryTracingFactory(sdk));
    }
  }

  /** How the gateway finds a request's trace context and writes it into what it sends and answers. */
  public TraceHeaders headers() {
    if (sdk == null) {
      return TraceHeaders.none();
    }
    TextMapPropagator propagator = sdk.getPropagators().getTextMapPropagator();
    return exporting ? TraceHeaders.ofSpans(propagator) : TraceHeaders.propagated(propagator);
  }

  /** The headers it writes. */
  Collection<String> fields() {
    return sdk == null ? List.of() : sdk.getPropagators().getTextMapPropagator().fields();
  }

  /** Exports what is left, within {@value #SHUTDOWN_TIMEOUT_MS} ms. */
  public Future<Void> shutdown() {
    if (sdk == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    CompletableResultCode result = sdk.shutdown();
    result.whenComplete(() -> done.tryComplete());
    return done.future().timeout(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }
}
