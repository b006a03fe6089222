package dev.berth.node;

import dev.berth.cluster.BerthClusterManager;
import dev.berth.config.HostPort;
import dev.berth.gateway.Replicas;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as {@code GET /cluster} shows it: every member with the metadata it published. A node publishes its
 * metadata once, so each member's is read once and kept while it is a member: a frozen member then costs a view no
 * time, and one never read is listed by id alone after {@value #LOOKUP_TIMEOUT_MS} ms.
 */
final class ClusterView {

  static final long LOOKUP_TIMEOUT_MS = 1_000;

  private final BerthClusterManager clusterManager;
  private final Replicas replicas;
  private final Map<String, Future<NodeInfo>> infoByNode = new ConcurrentHashMap<>();

  /** @param replicas the gateway's choice of nodes, or null on a node without a gateway */
  ClusterView(BerthClusterManager clusterManager, Replicas replicas) {
    this.clusterManager = clusterManager;
    this.replicas = replicas;
  }

  BerthClusterManager clusterManager() {
    return clusterManager;
  }

  Future<JsonObject> describe() {
    String self = clusterManager.getNodeId();
    List<String> nodes = clusterManager.getNodes();
    infoByNode.keySet().retainAll(nodes);
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String nodeId : nodes) {
      members.add(info(nodeId)
        .map(info -> describe(nodeId, info, nodeId.equals(self)))
        .otherwise(unknown -> new JsonObject().put("id", nodeId).put("self", nodeId.equals(self))));
    }
    return Future.all(members).map(all -> {
      JsonArray list = new JsonArray();
      members.forEach(member -> list.add(member.result()));
      JsonObject view = new JsonObject()
        .put("cluster", clusterManager.getHazelcastInstance().getConfig().getClusterName())
        .put("size", list.size())
        .put("members", list);
      if (replicas != null) {
        Map<String, String> nameById = namesById(list);
        view.put("consumers", consumers(nameById));
        view.put("passedOver", new JsonArray(replicas.passedOver().stream()
          .map(id -> nameById.getOrDefault(id, id)).toList()));
      }
      return view;
    });
  }

  private static Map<String, String> namesById(JsonArray members) {
    Map<String, String> nameById = new HashMap<>();
    members.stream().map(JsonObject.class::cast).filter(member -> member.getString("name") != null)
      .forEach(member -> nameById.put(member.getString("id"), member.getString("name")));
    return nameById;
  }

  /**
   * For each address this node's gateway routes to, the nodes that consume it as the gateway sees them, by name where
   * the node is a member: a node listed here that is not a member is a registration left over from a split cluster.
   */
  private JsonObject consumers(Map<String, String> nameById) {
    JsonObject consumers = new JsonObject();
    clusterManager.watched().stream().sorted().forEach(address -> consumers.put(address, new JsonArray(
      clusterManager.consumersOf(address).stream().map(id -> nameById.getOrDefault(id, id)).toList())));
    return consumers;
  }

  /** One lookup per member at a time; a failed or unanswered one is tried again by the next view. */
  private Future<NodeInfo> info(String nodeId) {
    Future<NodeInfo> info = infoByNode.computeIfAbsent(nodeId, id -> Future.<NodeInfo>future(
      promise -> clusterManager.getNodeInfo(id, promise)));
    return info.timeout(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS).onFailure(failed -> {
      if (info.failed()) {
        infoByNode.remove(nodeId, info);
      }
    });
  }

  private static JsonObject describe(String nodeId, NodeInfo info, boolean self) {
    JsonObject metadata = info.metadata() == null ? new JsonObject() : info.metadata();
    return new JsonObject()
      .put("id", nodeId)
      .put("self", self)
      .put("name", metadata.getString("name"))
      .put("roles", metadata.getJsonArray("roles", new JsonArray()))
      .put("addresses", metadata.getJsonArray("addresses", new JsonArray()))
      .put("eventBus", HostPort.format(info.host(), info.port()))
      .put("hazelcast", metadata.getString("hazelcast"))
      .put("advertise", metadata.getString("advertise"));
  }
}
