package dev.berth.node;

import dev.berth.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;

/** The cluster as {@code GET /cluster} shows it: every member with the metadata it published. */
final class ClusterView {

  private ClusterView() {
  }

  static Future<JsonObject> describe(HazelcastClusterManager clusterManager) {
    String self = clusterManager.getNodeId();
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String nodeId : clusterManager.getNodes()) {
      members.add(Future.<NodeInfo>future(promise -> clusterManager.getNodeInfo(nodeId, promise))
        .map(info -> describe(nodeId, info, nodeId.equals(self)))
        .otherwise(unknown -> new JsonObject().put("id", nodeId).put("self", nodeId.equals(self))));
    }
    return Future.all(members).map(all -> {
      JsonArray list = new JsonArray();
      members.forEach(member -> list.add(member.result()));
      return new JsonObject()
        .put("cluster", clusterManager.getHazelcastInstance().getConfig().getClusterName())
        .put("size", list.size())
        .put("members", list);
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
