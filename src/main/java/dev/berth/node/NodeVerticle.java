package dev.berth.node;

import dev.berth.bridge.BridgeVerticle;
import dev.berth.cluster.BerthClusterManager;
import dev.berth.config.BerthConfig;
import dev.berth.config.WorkerConfig;
import dev.berth.gateway.GatewayLoad;
import dev.berth.gateway.GatewayMetrics;
import dev.berth.gateway.GatewayVerticle;
import dev.berth.gateway.Replicas;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.Envelope;
import dev.berth.worker.Drain;
import dev.berth.worker.WorkerHandlers;
import dev.berth.worker.WorkerMetrics;
import dev.berth.worker.WorkerVerticle;
import dev.berth.observability.ManagementVerticle;
import dev.berth.observability.ClusterView;
import dev.berth.observability.Pulse;
import dev.berth.observability.NodeMetrics;
import dev.berth.observability.NodeTracing;
import dev.berth.observability.NodeState;
import dev.berth.observability.InFlight;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main verticle: starts the management server, the workers, then the gateway, and on {@link #drain()} stops taking
 * requests and finishes those in flight: the gateway first, then the workers, once the gateways have heard that this
 * node drains and stopped sending it requests, so that no request is lost.
 */
public final class NodeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NodeVerticle.class);

  /**
   * How long a worker node keeps its event bus open after its workers stopped. A reply sent during the drain may
   * still wait for a connection to the gateway's node to open; closing the bus would drop it.
   */
  static final long REPLY_LINGER_MS = 1_000;
  /** What the drain is given beyond the longest a request can take, for the steps between. */
  private static final long DRAIN_MARGIN_MS = 1_000;

  private final BerthConfig config;
  private final NodeMetadata metadata;
  private final BerthClusterManager clusterManager;
  private final NodeMetrics metrics;
  private final NodeTracing tracing;
  private final Duration drainBudget;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.STARTING);
  private final InFlight inFlight = new InFlight(GatewayLoad.idle(), new AtomicInteger());
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private final List<WorkerVerticle> workers = new CopyOnWriteArrayList<>();
  private BridgeVerticle bridge;
  private Future<List<String>> registryCheck;
  private Replicas replicas;
  private Pulse pulse;
  /** The workers' meters, Java handlers and bridge clients alike; null on a node without workers. */
  private WorkerMetrics workerMetrics;

  NodeVerticle(BerthConfig config, NodeMetadata metadata, BerthClusterManager clusterManager, NodeMetrics metrics,
               NodeTracing tracing) {
    this.config = config;
    this.tracing = tracing;
    this.metadata = metadata;
    this.clusterManager = clusterManager;
    this.metrics = metrics;
    this.drainBudget = drainBudget(config);
  }

  /**
   * The one bound on a drain: a forwarded request cannot outlive the request timeout; a worker serves until quiet
   * and holds a request for at most its delay, its handler's timeout or the bridge's; then the reply linger and a
   * margin.
   */
  static Duration drainBudget(BerthConfig config) {
    long gateway = config.runsGateway() ? config.gateway().requestTimeoutMs() : 0;
    long longestAnswer = Math.max(config.runsBridge() ? config.bridge().timeoutMs() : 0,
      config.workers().stream().mapToLong(WorkerConfig::longestAnswerMs).max().orElse(0));
    long workers = config.runsWorkers() ? Drain.QUIET_MS + longestAnswer + REPLY_LINGER_MS : 0;
    return Duration.ofMillis(gateway + workers + DRAIN_MARGIN_MS);
  }

  @Override
  public Future<?> start() {
    Envelope.register(vertx.eventBus());
    replicas = config.runsGateway()
      ? Replicas.inCluster(vertx, clusterManager.servingNodes(), config.gateway().routes().addresses())
      : null;
    metrics.watch(clusterManager);
    pulse = new Pulse(vertx, clusterManager, state::get, metrics);
    return publishProof()
      .compose(published -> {
        pulse.start();
        return vertx.deployVerticle(new ManagementVerticle(config.management(), metadata.name(), state, inFlight,
          new ClusterView(clusterManager, replicas, this::bridgeStatus, pulse), metrics.scraper()));
      })
      .compose(management -> deployWorkers())
      .compose(deployed -> deployBridge())
      .compose(deployed -> deployGateway())
      .onSuccess(ready -> {
        state.set(NodeState.READY);
        RegistryCheckSchedule registryChecks = new RegistryCheckSchedule(vertx, this::checkRegistry, System::nanoTime);
        clusterManager.onMembersChanged(() -> context.runOnContext(changed -> registryChecks.membersChanged()));
        clusterManager.onMerge(() -> context.runOnContext(merged -> checkRegistry()));
        registryChecks.start();
      });
  }

  /**
   * In a TLS cluster, adds this node's proof of membership to its node info: the proof signs the node's id, which
   * exists only once it joined, so this is the one second write of the node info.
   */
  private Future<Void> publishProof() {
    if (!clusterManager.provesMembers()) {
      return Future.succeededFuture();
    }
    NodeInfo proven = clusterManager.withProof(clusterManager.getNodeInfo(), metadata.addresses(), metadata.hazelcast());
    return Future.future(promise -> clusterManager.setNodeInfo(proven, promise));
  }

  /** The node's last spans are exported once its verticles have stopped answering. */
  @Override
  public Future<?> stop() {
    pulse.stop();
    return tracing.shutdown();
  }

  /** One check at a time: a registry that cannot be read (a member frozen) must not pile up lookups. */
  private void checkRegistry() {
    if (registryCheck != null && !registryCheck.isComplete()) {
      return;
    }
    registryCheck = clusterManager.repairRegistry().onSuccess(repaired -> {
      if (!repaired.isEmpty()) {
        log.warn("the cluster's registry had lost this node's {}: put back (a split cluster merged?)",
          String.join(", ", repaired));
      }
    });
  }

  /**
   * Stops taking requests, lets those in flight finish, then stops the workers, all within {@link #drainBudget()}; the
   * cluster is left afterwards, when Vert.x closes.
   */
  public Future<Void> drain() {
    state.set(NodeState.DRAINING);
    long deadline = System.nanoTime() + drainBudget.toNanos();
    return Future.join(gateways.stream().map(gateway -> gateway.drain(remainingMs(deadline))).toList())
      .andThen(drained -> {
        if (replicas != null) {
          replicas.stopHearingDrains();
        }
      })
      .compose(drained -> drainWorkers(deadline))
      .compose(drained -> !config.runsWorkers()
        ? Future.succeededFuture()
        : vertx.timer(Math.min(REPLY_LINGER_MS, remainingMs(deadline)), TimeUnit.MILLISECONDS))
      .mapEmpty();
  }

  /** Whether the node has started and is not draining: what {@code GET /health} reports as UP, cluster aside. */
  public boolean serving() {
    return state.get() == NodeState.READY;
  }

  public Duration drainBudget() {
    return drainBudget;
  }

  public InFlight inFlight() {
    return inFlight;
  }

  private Future<?> drainWorkers(long deadline) {
    if (!config.runsWorkers()) {
      return Future.succeededFuture();
    }
    vertx.eventBus().publish(Addresses.DRAINING, clusterManager.getNodeId());
    List<Future<Void>> drains = new ArrayList<>();
    workers.forEach(worker -> drains.add(worker.drain(remainingMs(deadline))));
    if (bridge != null) {
      drains.add(bridge.drain(remainingMs(deadline)));
    }
    return Future.join(drains);
  }

  /** The bridge's clients and what they serve, or null on a node without a bridge (or before it started). */
  private Future<JsonObject> bridgeStatus() {
    return Future.succeededFuture(bridge == null ? null : bridge.status());
  }

  private static long remainingMs(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private Future<?> deployWorkers() {
    if (!config.runsWorkers()) {
      return Future.succeededFuture();
    }
    workerMetrics = new WorkerMetrics(metrics.registry(), inFlight.workers());
    List<Future<String>> deployments = new ArrayList<>();
    for (WorkerConfig worker : config.workers()) {
      WorkerMetrics.AddressMeters meters = workerMetrics.of(worker.address());
      deployments.add(vertx.deployVerticle(() -> keep(workers, new WorkerVerticle(worker, WorkerHandlers.create(worker),
          metadata.name(), clusterManager.getNodeId(), inFlight.workers(), meters)),
        new DeploymentOptions().setInstances(worker.instances())));
    }
    return Future.all(deployments);
  }

  private Future<?> deployBridge() {
    if (!config.runsBridge()) {
      return Future.succeededFuture();
    }
    BridgeVerticle started = new BridgeVerticle(config.bridge(), clusterManager.getNodeId(), inFlight.workers(),
      metrics.registry(), workerMetrics);
    return vertx.deployVerticle(started).onSuccess(deployed -> bridge = started);
  }

  private Future<?> deployGateway() {
    if (!config.runsGateway()) {
      return Future.succeededFuture();
    }
    GatewayMetrics gatewayMetrics = new GatewayMetrics(metrics.registry(), inFlight.gateway());
    return vertx.deployVerticle(() -> keep(gateways, new GatewayVerticle(config.gateway(), inFlight.gateway(), replicas,
        gatewayMetrics, tracing.headers())),
      new DeploymentOptions().setInstances(config.gateway().instances()));
  }

  private static <T> T keep(List<T> instances, T instance) {
    instances.add(instance);
    return instance;
  }
}
