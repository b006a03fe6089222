package dev.berth.node;

import dev.berth.config.BerthConfig;
import dev.berth.config.WorkerConfig;
import dev.berth.gateway.GatewayLoad;
import dev.berth.gateway.GatewayVerticle;
import dev.berth.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main verticle: starts the management server, the workers, then the gateway, and on {@link #drain()} stops taking
 * requests and finishes those in flight, gateway first, so that no request in flight loses its worker.
 */
public final class NodeVerticle extends VerticleBase {

  /**
   * How long a worker node keeps its event bus open after its workers stopped. A reply sent during the drain may
   * still wait for a connection to the gateway's node to open; closing the bus would drop it.
   */
  static final long REPLY_LINGER_MS = 1_000;
  /** What the drain is given beyond the longest a request can take, for the steps between. */
  private static final long DRAIN_MARGIN_MS = 1_000;

  private final BerthConfig config;
  private final NodeMetadata metadata;
  private final HazelcastClusterManager clusterManager;
  private final Duration drainBudget;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.STARTING);
  private final InFlight inFlight = new InFlight(GatewayLoad.idle(), new AtomicInteger());
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private final List<WorkerVerticle> workers = new CopyOnWriteArrayList<>();

  NodeVerticle(BerthConfig config, NodeMetadata metadata, HazelcastClusterManager clusterManager) {
    this.config = config;
    this.metadata = metadata;
    this.clusterManager = clusterManager;
    this.drainBudget = drainBudget(config);
  }

  /**
   * The one bound on a drain: a forwarded request cannot outlive the request timeout and a worker holds one for at
   * most its delay; then the reply linger and a margin.
   */
  static Duration drainBudget(BerthConfig config) {
    long gateway = config.runsGateway() ? config.gateway().requestTimeoutMs() : 0;
    long longestDelay = config.workers().stream().mapToLong(WorkerConfig::delayMs).max().orElse(0);
    long linger = config.runsWorkers() ? REPLY_LINGER_MS : 0;
    return Duration.ofMillis(gateway + longestDelay + linger + DRAIN_MARGIN_MS);
  }

  @Override
  public Future<?> start() {
    return vertx.deployVerticle(new ManagementVerticle(config.management(), metadata.name(), state, inFlight, clusterManager))
      .compose(management -> deployWorkers())
      .compose(deployed -> deployGateway())
      .onSuccess(ready -> state.set(NodeState.READY));
  }

  /**
   * Stops taking requests, lets those in flight finish, then stops the workers, all within {@link #drainBudget()}; the
   * cluster is left afterwards, when Vert.x closes.
   */
  public Future<Void> drain() {
    state.set(NodeState.DRAINING);
    long deadline = System.nanoTime() + drainBudget.toNanos();
    return Future.join(gateways.stream().map(gateway -> gateway.drain(remainingMs(deadline))).toList())
      .compose(drained -> Future.join(workers.stream().map(worker -> worker.drain(remainingMs(deadline))).toList()))
      .compose(drained -> workers.isEmpty()
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

  private static long remainingMs(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private Future<?> deployWorkers() {
    List<Future<String>> deployments = new ArrayList<>();
    for (WorkerConfig worker : config.workers()) {
      deployments.add(vertx.deployVerticle(() -> keep(workers, new WorkerVerticle(worker, metadata.name(), inFlight.workers())),
        new DeploymentOptions().setInstances(worker.instances())));
    }
    return Future.all(deployments);
  }

  private Future<?> deployGateway() {
    if (!config.runsGateway()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(() -> keep(gateways, new GatewayVerticle(config.gateway(), inFlight.gateway())),
      new DeploymentOptions().setInstances(config.gateway().instances()));
  }

  private static <T> T keep(List<T> instances, T instance) {
    instances.add(instance);
    return instance;
  }
}
