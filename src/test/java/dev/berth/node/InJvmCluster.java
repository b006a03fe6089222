package dev.berth.node;

import dev.berth.advertise.Advertiser;
import dev.berth.config.BerthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Whole berth nodes in this JVM, each built the way the jar builds one (config, advertisement, join through the gate,
 * clustered Vert.x, node verticle), over real Hazelcast on loopback, in a cluster of their own: every node started here
 * joins the cluster named {@link #name()}, whatever its config says.
 */
final class InJvmCluster implements AutoCloseable {

  private final String name;
  private final Duration bound;
  private final Map<Node, Vertx> running = new LinkedHashMap<>();

  InJvmCluster(String prefix, Duration bound) {
    this.name = prefix + "-" + UUID.randomUUID();
    this.bound = bound;
  }

  String name() {
    return name;
  }

  /** Starts a node from its config, in this cluster, and returns it once its verticle is deployed. */
  Node start(String configJson) throws Exception {
    JsonObject json = new JsonObject(configJson);
    json.getJsonObject("cluster").put("name", name);
    BerthConfig config = BerthConfig.fromJson(json);
    Node node = Node.prepare(config, NodeTransport.of(config.transport()), Advertiser.start(config.cluster(), Map.of()),
      Map.of());
    node.joinCluster();
    Vertx vertx = await(node.vertxBuilder(new VertxOptions()).buildClustered());
    running.put(node, vertx);
    await(vertx.deployVerticle(node.verticle()));
    return node;
  }

  Vertx vertx(Node node) {
    return running.get(node);
  }

  /** Closes a node's Vert.x, as a node's stop does after its drain, and forgets it. */
  void stop(Node node) throws Exception {
    await(running.remove(node).close());
  }

  <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(bound.toSeconds(), TimeUnit.SECONDS);
  }

  /** Closes every node still running, each within the bound. */
  @Override
  public void close() {
    running.values().forEach(vertx -> vertx.close().toCompletionStage().toCompletableFuture()
      .completeOnTimeout(null, bound.toSeconds(), TimeUnit.SECONDS).join());
    running.clear();
  }
}
