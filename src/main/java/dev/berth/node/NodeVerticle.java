package dev.berth.node;

import dev.berth.config.BerthConfig;
import dev.berth.config.WorkerConfig;
import dev.berth.gateway.GatewayLoad;
import dev.berth.gateway.GatewayVerticle;
import dev.berth.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main verticle: publishes this node's metadata, starts the management server, the workers, then the gateway,
 * and on {@link #drain()} stops them in the reverse order so that no request in flight loses its worker.
 */
public final class NodeVerticle extends VerticleBase {

  /**
   * How long a worker node keeps its event bus open after its workers stopped. A reply sent during the drain may
   * still wait for a connection to the gateway's node to open; closing the bus would drop it.
   */
  static final long REPLY_LINGER_MS = 1_000;

  private final BerthConfig config;
  private final NodeMetadata metadata;
  private final HazelcastClusterManager clusterManager;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.STARTING);
  private final InFlight inFlight = new InFlight(GatewayLoad.idle(), new AtomicInteger());
  private final List<String> workerDeployments = new ArrayList<>();
  private String gatewayDeployment;

  public NodeVerticle(BerthConfig config, NodeMetadata metadata, HazelcastClusterManager clusterManager) {
    this.config = config;
    this.metadata = metadata;
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<?> start() {
    return publishNodeInfo()
      .compose(published -> vertx.deployVerticle(new ManagementVerticle(config.management(), metadata.name(), state, inFlight, clusterManager)))
      .compose(management -> deployWorkers())
      .compose(workers -> deployGateway())
      .onSuccess(ready -> state.set(NodeState.READY));
  }

  /** Stops taking requests, lets those in flight finish, then stops the workers; the cluster is left afterwards. */
  public Future<Void> drain() {
    state.set(NodeState.DRAINING);
    Future<?> gatewayStopped = gatewayDeployment == null ? Future.succeededFuture() : vertx.undeploy(gatewayDeployment);
    return gatewayStopped
      .compose(stopped -> Future.join(workerDeployments.stream().map(vertx::undeploy).toList()))
      .compose(stopped -> workerDeployments.isEmpty()
        ? Future.succeededFuture()
        : vertx.timer(REPLY_LINGER_MS, TimeUnit.MILLISECONDS))
      .mapEmpty();
  }

  public InFlight inFlight() {
    return inFlight;
  }

  /** Adds the Hazelcast address, known only once Hazelcast runs, to the metadata Vert.x published for this node. */
  private Future<Void> publishNodeInfo() {
    NodeInfo current = clusterManager.getNodeInfo();
    NodeInfo complete = new NodeInfo(current.host(), current.port(),
      metadata.withHazelcastAddress(ClusterView.localHazelcastAddress(clusterManager)).toJson());
    return Future.future(promise -> clusterManager.setNodeInfo(complete, promise));
  }

  private Future<?> deployWorkers() {
    List<Future<String>> deployments = new ArrayList<>();
    for (WorkerConfig worker : config.workers()) {
      deployments.add(vertx.deployVerticle(() -> new WorkerVerticle(worker, metadata.name(), inFlight.workers()),
        new DeploymentOptions().setInstances(worker.instances())).onSuccess(workerDeployments::add));
    }
    return Future.all(deployments);
  }

  private Future<?> deployGateway() {
    if (!config.runsGateway()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(() -> new GatewayVerticle(config.gateway(), inFlight.gateway()),
        new DeploymentOptions().setInstances(config.gateway().instances()))
      .onSuccess(id -> gatewayDeployment = id);
  }
}
