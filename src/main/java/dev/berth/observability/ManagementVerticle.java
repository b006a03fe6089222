package dev.berth.observability;

import dev.berth.cluster.BerthClusterManager;
import dev.berth.config.ManagementConfig;
import dev.berth.gateway.MalformedRequests;
import dev.berth.protocol.HttpError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /health}, {@code GET /cluster}, {@code GET /metrics} (Prometheus text) and the cluster's page at
 * {@code GET /}, on the management port, apart from the routed HTTP port.
 */
public final class ManagementVerticle extends VerticleBase {

  private final ManagementConfig config;
  private final String nodeName;
  private final AtomicReference<NodeState> state;
  private final InFlight inFlight;
  private final BerthClusterManager clusterManager;
  private final ClusterView clusterView;
  private final Handler<RoutingContext> metrics;

  /** @param metrics serves {@code GET /metrics}, null when {@code management.metrics} is off */
  public ManagementVerticle(ManagementConfig config, String nodeName, AtomicReference<NodeState> state, InFlight inFlight,
                     ClusterView clusterView, Handler<RoutingContext> metrics) {
    this.config = config;
    this.nodeName = nodeName;
    this.state = state;
    this.inFlight = inFlight;
    this.clusterManager = clusterView.clusterManager();
    this.clusterView = clusterView;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(this::health);
    router.get("/cluster").handler(this::cluster);
    LivePage.mount(router);
    router.get("/metrics").handler(metrics != null ? metrics
      : ctx -> replyError(ctx, 404, "metrics are off on this node (management.metrics is false)"));
    router.errorHandler(400, ManagementVerticle::unroutable);
    router.errorHandler(404, ctx -> replyError(ctx, 404, "not found: the management port serves GET /health,"
      + " GET /cluster, GET /metrics and the cluster's page at GET /"));
    router.errorHandler(405, ctx -> replyError(ctx, 405, "method " + ctx.request().method() + " not allowed: use GET"));
    router.errorHandler(500, ctx -> replyError(ctx, 500, "internal error"));
    HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
      // Scrapes, health checks and browsers speak HTTP/1.1 here, and their requests are not what anyone traces.
      .setHttp2ClearTextEnabled(false)
      .setTracingPolicy(TracingPolicy.IGNORE);
    MalformedRequests malformed = new MalformedRequests(options, "an HTTP/2 connection preface: the management port"
      + " speaks HTTP/1.1");
    return vertx.createHttpServer(options)
      .connectionHandler(malformed::decodeVersionsStrictly)
      .invalidRequestHandler(malformed::answer)
      .requestHandler(router)
      .listen();
  }

  /** The router's own 400: a target it could not route. */
  private static void unroutable(RoutingContext ctx) {
    String unroutable = MalformedRequests.unroutableTarget(ctx);
    replyError(ctx, 400, unroutable != null ? unroutable : MalformedRequests.reason(400));
  }

  private void health(RoutingContext ctx) {
    NodeState current = state.get();
    boolean inCluster = clusterManager.isActive() && clusterManager.getHazelcastInstance().getLifecycleService().isRunning();
    boolean healthy = current == NodeState.READY && inCluster;
    JsonObject body = new JsonObject()
      .put("status", healthy ? "UP" : "DOWN")
      .put("node", nodeName)
      .put("state", current.name())
      .put("inCluster", inCluster)
      .put("inFlight", inFlight.toJson());
    if (inCluster) {
      body.put("members", clusterManager.getNodes().size());
    }
    ctx.response()
      .setStatusCode(healthy ? 200 : 503)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(body.toBuffer());
  }

  private void cluster(RoutingContext ctx) {
    clusterView.describe()
      .onSuccess(view -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(view.toBuffer()))
      .onFailure(ctx::fail);
  }

  private static void replyError(RoutingContext ctx, int status, String error) {
    HttpError.send(ctx.response(), status, error, ctx.request().path());
  }
}
