package dev.berth.gateway;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;
import java.util.Map;

/**
 * A request's trace context and where the gateway writes it: into its answer and into the request's headers on the
 * bus. With spans exported, it is the span Vert.x's tracer opened for the request. With nothing exported, no span is
 * made: the gateway continues the client's trace, or starts one, under a span id of its own, which costs a fraction
 * of a span.
 */
public final class TraceHeaders {

  private static final TextMapSetter<HttpServerResponse> RESPONSE = HttpServerResponse::putHeader;
  private static final TextMapSetter<Map<String, List<String>>> BUS_REQUEST =
    (headers, name, value) -> headers.put(name, List.of(value));
  private static final TextMapGetter<MultiMap> REQUEST = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap headers) {
      return headers.names();
    }

    @Override
    public String get(MultiMap headers, String name) {
      return headers == null ? null : headers.get(name);
    }
  };

  private final TextMapPropagator propagator;
  /** Null when Vert.x's tracer makes the spans. */
  private final IdGenerator ids;

  private TraceHeaders(TextMapPropagator propagator, IdGenerator ids) {
    this.propagator = propagator;
    this.ids = ids;
  }

  /** Vert.x's tracer opens a span for each request: its context is the current one. */
  public static TraceHeaders ofSpans(TextMapPropagator propagator) {
    return new TraceHeaders(propagator, null);
  }

  /** No spans: the trace context is passed on with a span id of the gateway's own. */
  public static TraceHeaders propagated(TextMapPropagator propagator) {
    return new TraceHeaders(propagator, IdGenerator.random());
  }

  /** No tracing at all. */
  public static TraceHeaders none() {
    return new TraceHeaders(TextMapPropagator.noop(), null);
  }

  /** The context of {@code request}, which the gateway passes on; call on the request's context. */
  Context of(HttpServerRequest request) {
    if (ids == null) {
      return Context.current();
    }
    Context client = propagator.extract(Context.root(), request.headers(), REQUEST);
    SpanContext parent = Span.fromContext(client).getSpanContext();
    SpanContext own = parent.isValid()
      ? SpanContext.create(parent.getTraceId(), ids.generateSpanId(), parent.getTraceFlags(), parent.getTraceState())
      : SpanContext.create(ids.generateTraceId(), ids.generateSpanId(), TraceFlags.getSampled(),
        TraceState.getDefault());
    return client.with(Span.wrap(own));
  }

  void into(Context trace, HttpServerResponse response) {
    propagator.inject(trace, response, RESPONSE);
  }

  void into(Context trace, Map<String, List<String>> busHeaders) {
    propagator.inject(trace, busHeaders, BUS_REQUEST);
  }
}
