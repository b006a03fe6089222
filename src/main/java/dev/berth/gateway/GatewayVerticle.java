package dev.berth.gateway;

import dev.berth.config.GatewayConfig;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.HttpError;
import dev.berth.protocol.ProtocolException;
import io.opentelemetry.context.Context;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Serves HTTP and forwards each request to the event-bus address its path's first letter routes to. Every failure,
 * its own or the bus's, is answered with one JSON shape: {@code {"status":503,"error":"...","path":"/apple"}}. Each
 * request's trace context (W3C {@code traceparent}: the client's, continued, or a new one) goes to the worker in the
 * request's headers and back to the client in the answer's.
 */
public final class GatewayVerticle extends VerticleBase {

  public static final String SERVED_BY_HEADER = "X-Served-By";
  /** Set when a request took more than one attempt: the number of worker nodes it was sent to. */
  public static final String ATTEMPTS_HEADER = "X-Berth-Attempts";
  /**
   * In the request a worker gets, with {@code gateway.tls.clientCa}: the subject of the certificate the client showed,
   * as the gateway verified it. A client's own header of that name never reaches a worker.
   */
  public static final String CLIENT_SUBJECT_HEADER = "x-berth-client-subject";
  private static final String RETRY_AFTER_SECONDS = "1";
  /** Where a request's routed address is kept for the metrics recorded when it ends. */
  private static final String ADDRESS = "berth.address";
  /** Where a request's trace context is kept for the request sent on the bus. */
  private static final String TRACE = "berth.trace";
  /** The routing context's key for the subject of the client's certificate, with gateway.tls.clientCa. */
  private static final String CLIENT_SUBJECT = "berth.clientSubject";

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewayConfig config;
  private final RoutingTable routes;
  private final GatewayLoad load;
  private final Replicas replicas;
  private final GatewayMetrics metrics;
  private final TraceHeaders traces;
  private Forwarder forwarder;
  private ClientConnections clients;
  private HttpServer server;
  /** Null without gateway.tls. */
  private CertificateWatch certificates;

  /**
   * {@code load}, {@code replicas} and {@code metrics} are shared by all gateway instances of the node; {@code traces}
   * finds a request's trace context and writes it into headers.
   */
  public GatewayVerticle(GatewayConfig config, GatewayLoad load, Replicas replicas, GatewayMetrics metrics,
                         TraceHeaders traces) {
    this.config = config;
    this.traces = traces;
    this.routes = new RoutingTable(config.routes(), replicas::serves);
    this.load = load;
    this.replicas = replicas;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    forwarder = new Forwarder(vertx, replicas, config.failover(), config.requestTimeoutMs(), metrics);
    Future<Void> replies = forwarder.start();
    clients = new ClientConnections(vertx, config.connections(), load.connections());
    Router router = Router.router(vertx);
    router.route().handler(this::claimBodyBytes);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    router.route().handler(this::route);
    router.route().failureHandler(this::replyFailure);
    HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.httpPort())
      .setIdleTimeout(config.connections().idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setHttp2ClearTextEnabled(config.http2Cleartext());
    if (config.tls() != null) {
      GatewayTls.secure(options, config.tls(), config.connections().headerTimeoutMs());
    }
    MalformedRequests malformed = new MalformedRequests(options, config.tls() != null
      ? "an HTTP/2 connection preface without ALPN: this port offers HTTP/2 by ALPN only"
      : "an HTTP/2 connection preface: this port speaks HTTP/1.1, and HTTP/2 without TLS only with"
        + " gateway.http2Cleartext");
    server = vertx.createHttpServer(options);
    Future<HttpServer> listening = server.connectionHandler(connection -> {
      malformed.decodeVersionsStrictly(connection);
      clients.accept(connection);
    }).invalidRequestHandler(request -> refuse(malformed, request)).requestHandler(router).listen();
    Future<?> serving = Future.all(replies, listening);
    if (config.tls() == null) {
      return serving;
    }
    certificates = new CertificateWatch(vertx, server, config.tls(), options.getSslOptions(),
      this::closeRevokedClients);
    return serving.compose(listened -> certificates.start());
  }

  /** A request whose head the HTTP decoder refused: answered before any routing, and in the access log as such. */
  private void refuse(MalformedRequests malformed, HttpServerRequest request) {
    long arrived = System.nanoTime();
    malformed.answer(request);
    if (config.accessLog()) {
      AccessLog.refused(request, arrived, config.verifiesClients() ? clientSubject(request) : null);
    }
  }

  /** Stops accepting, lets the forwarded requests finish within {@code timeoutMs}, then closes the server. */
  public Future<Void> drain(long timeoutMs) {
    return server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    forwarder.stop();
    clients.stop();
    if (certificates != null) {
      certificates.stop();
    }
    return server.close();
  }

  /**
   * Before the body is read, claims the bytes it may take against {@code maxBodyBytesInFlight}, so that concurrent large
   * bodies cannot exhaust the heap: over the budget the request gets 503 and its body is never read.
   */
  private void claimBodyBytes(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long arrived = System.nanoTime();
    long claim = bodyBytesToClaim(request);
    clients.headReceived(request, claim > 0);
    Context trace = traces.of(request);
    ctx.put(TRACE, trace);
    traces.into(trace, ctx.response());
    String subject = config.verifiesClients() ? clientSubject(request) : null;
    if (subject != null) {
      ctx.put(CLIENT_SUBJECT, subject);
    }
    ctx.addEndHandler(ended -> {
      clients.answered(request);
      metrics.answered(ctx.get(ADDRESS, GatewayMetrics.UNROUTED), request.method().name(),
        ctx.response().getStatusCode(), arrived);
      if (config.accessLog()) {
        AccessLog.answered(request, ctx.get(ADDRESS, AccessLog.NONE), trace, arrived, subject);
      }
    });
    if (claim == 0) {
      ctx.next();
      return;
    }
    long held = load.bodyBytes().addAndGet(claim);
    if (held > config.maxBodyBytesInFlight()) {
      load.bodyBytes().addAndGet(-claim);
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
      replyError(ctx, 503, "the gateway holds " + (held - claim) + " bytes of request bodies, at most "
        + config.maxBodyBytesInFlight() + " at once: retry shortly");
      return;
    }
    ctx.addEndHandler(ended -> load.bodyBytes().addAndGet(-claim));
    ctx.next();
  }

  /** The declared length, capped at the body limit; a chunked body may take up to the limit. */
  private long bodyBytesToClaim(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      try {
        return Math.min(Math.max(Long.parseLong(length.trim()), 0), config.maxBodyBytes());
      } catch (NumberFormatException malformed) {
        return config.maxBodyBytes();
      }
    }
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) ? config.maxBodyBytes() : 0;
  }

  private void route(RoutingContext ctx) {
    clients.bodyReceived(ctx.request());
    String path;
    try {
      path = ctx.normalizedPath();
    } catch (IllegalArgumentException e) {
      replyError(ctx, 400, MalformedRequests.malformedPath(e));
      return;
    }
    List<String> route = routes.routeFor(path);
    if (route == null) {
      replyError(ctx, 404, "no route for '" + ctx.request().path() + "'");
      return;
    }
    forward(ctx, route);
  }

  private void forward(RoutingContext ctx, List<String> route) {
    String address = route.get(0);
    ctx.put(ADDRESS, address);
    HttpServerRequest request = ctx.request();
    Map<String, List<String>> headers = headersOf(request.headers());
    headers.remove(CLIENT_SUBJECT_HEADER);
    if (config.verifiesClients()) {
      headers.put(CLIENT_SUBJECT_HEADER, List.of(ctx.<String>get(CLIENT_SUBJECT)));
    }
    traces.into(ctx.get(TRACE), headers);
    BusRequest busRequest = new BusRequest(request.method().name(), request.path(), request.query(), headers,
      ctx.body().buffer());
    load.requests().incrementAndGet();
    forwarder.forward(route, busRequest)
      .onComplete(answered -> answer(ctx, address, answered));
  }

  /** One completion listener per request, on the hot path: the count, then the reply or the failure. */
  private void answer(RoutingContext ctx, String address, AsyncResult<Forwarder.Delivered> answered) {
    load.requests().decrementAndGet();
    if (answered.succeeded()) {
      respond(ctx, address, answered.result());
    } else {
      replyBusFailure(ctx, address, answered.cause());
    }
  }

  private void respond(RoutingContext ctx, String address, Forwarder.Delivered delivered) {
    BusReply reply;
    try {
      Object body = delivered.reply();
      reply = body instanceof BusReply enveloped ? enveloped : BusReply.fromJson(body);
    } catch (ProtocolException e) {
      replyError(ctx, BusFailure.invalidReply(address, e.getMessage()));
      return;
    }
    HttpServerResponse response = ctx.response()
      .setStatusCode(reply.status())
      .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType())
      .putHeader(SERVED_BY_HEADER, reply.servedBy());
    if (delivered.attempts() > 1) {
      response.putHeader(ATTEMPTS_HEADER, Integer.toString(delivered.attempts()));
    }
    response.end(reply.body());
  }

  private void replyBusFailure(RoutingContext ctx, String address, Throwable failure) {
    replyError(ctx, BusFailure.of(address, failure, config.requestTimeoutMs()));
  }

  /**
   * Failures raised by the router itself: a client error such as a request target that cannot be routed (400), a body
   * over the limit (413), a body the connection could not decode (400: a malformed chunk; Vert.x closes the connection
   * after it), or a bug (500).
   */
  private void replyFailure(RoutingContext ctx) {
    int status = ctx.statusCode();
    String unroutable = MalformedRequests.unroutableTarget(ctx);
    if (unroutable != null) {
      replyError(ctx, 400, unroutable);
      return;
    }
    if (status == 413) {
      replyError(ctx, 413, "request body is larger than " + config.maxBodyBytes() + " bytes");
      return;
    }
    if (!ctx.request().isEnded()) {
      Throwable cause = ctx.failure();
      replyError(ctx, 400, "malformed request body: " + (cause == null ? "unreadable" : cause.getMessage()));
      return;
    }
    if (status >= 400 && status <= 499) {
      replyError(ctx, status, MalformedRequests.reason(status));
      return;
    }
    log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    replyError(ctx, 500, "internal error");
  }

  private void replyError(RoutingContext ctx, BusFailure failure) {
    replyError(ctx, failure.status(), failure.getMessage());
  }

  private void replyError(RoutingContext ctx, int status, String error) {
    if (status >= 500) {
      log.warn("{} {} -> {}: {}", ctx.request().method(), ctx.request().path(), status, error);
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    HttpError.send(ctx.response(), status, error, ctx.request().path());
  }

  private static String clientSubject(HttpServerRequest request) {
    return GatewayTls.clientCertificate(request.connection()).getSubjectX500Principal().getName();
  }

  /** Closes the connections of clients whose certificates the lists just loaded revoke. */
  private void closeRevokedClients(GatewayTls.Checked loaded) {
    if (loaded.clientRevocations().isEmpty()) {
      return;
    }
    int closed = clients.closeWhere(connection -> loaded.revokes(GatewayTls.clientCertificate(connection)));
    if (closed > 0) {
      log.info("closed {} connection(s) of clients whose certificates {} (gateway.tls.clientCrl) now revokes", closed,
        config.tls().clientCrl());
    }
  }

  private static Map<String, List<String>> headersOf(MultiMap headers) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : headers) {
      byName.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>(1)).add(header.getValue());
    }
    return byName;
  }
}
