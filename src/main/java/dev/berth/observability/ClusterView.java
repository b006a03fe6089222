package dev.berth.observability;

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
import java.util.function.Supplier;

/**
 * The cluster as {@code GET /cluster} shows it: every member with the metadata it published and, in a TLS cluster,
 * whether it proved it belongs, and its pulse (state, load, how long since it was heard); this node's own bridge as it
 * is now. A member's metadata is read and kept while it is a member, so that a frozen member
 * costs a view no time; one never read is listed by id alone after {@value #LOOKUP_TIMEOUT_MS} ms. Until it is
 * proven, a member's metadata is read again, since a node adds its proof right after it joins.
 */
public final class ClusterView {

  public static final long LOOKUP_TIMEOUT_MS = 1_000;

  private final BerthClusterManager clusterManager;
  private final Replicas replicas;
  private final Supplier<Future<JsonObject>> bridgeStatus;
  private final Pulse pulse;
  private final Map<String, Future<NodeInfo>> infoByNode = new ConcurrentHashMap<>();

  /**
   * @param replicas     the gateway's choice of nodes, or null on a node without a gateway
   * @param bridgeStatus this node's bridge as it is now, null when it has none
   * @param pulse        what the members last said of their state and load
   */
  public ClusterView(BerthClusterManager clusterManager, Replicas replicas, Supplier<Future<JsonObject>> bridgeStatus,
              Pulse pulse) {
    this.clusterManager = clusterManager;
    this.pulse = pulse;
    this.replicas = replicas;
    this.bridgeStatus = bridgeStatus;
  }

  BerthClusterManager clusterManager() {
    return clusterManager;
  }

  Future<JsonObject> describe() {
    String self = clusterManager.getNodeId();
    List<String> nodes = clusterManager.getNodes();
    infoByNode.keySet().retainAll(nodes);
    pulse.keepOnly(nodes);
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String nodeId : nodes) {
      members.add(info(nodeId)
        .map(info -> describe(nodeId, info, nodeId.equals(self)))
        .otherwise(unknown -> new JsonObject().put("id", nodeId).put("self", nodeId.equals(self)))
        .map(member -> withProof(nodeId, member))
        .map(member -> withPulse(nodeId, member)));
    }
    return Future.all(members).compose(all -> bridgeStatus.get()).map(bridge -> {
      JsonArray list = new JsonArray();
      members.forEach(member -> list.add(member.result()));
      if (bridge != null) {
        members.stream().map(Future::result).filter(member -> member.getBoolean("self")).findFirst()
          .ifPresent(member -> member.put("bridge", bridge));
      }
      JsonObject view = new JsonObject()
        .put("cluster", clusterManager.getHazelcastInstance().getConfig().getClusterName())
        .put("tls", clusterManager.provesMembers())
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

  /** In a TLS cluster, whether the member proved it belongs, and if it was found not to, why. */
  private JsonObject withProof(String nodeId, JsonObject member) {
    if (clusterManager.provesMembers()) {
      member.put("proven", clusterManager.isProven(nodeId));
      clusterManager.whyNotProven(nodeId).ifPresent(reason -> member.put("unproven", reason));
    }
    return member;
  }

  /** The member's state and load as it last told them, and whether it has been silent too long. */
  private JsonObject withPulse(String nodeId, JsonObject member) {
    JsonObject last = pulse.of(nodeId);
    if (last != null) {
      last.remove("id");
      member.put("pulse", last);
    }
    return member;
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
      clusterManager.servingNodes().of(address).stream().map(id -> nameById.getOrDefault(id, id)).toList())));
    return consumers;
  }

  /** One lookup per member at a time; a failed or unanswered one is tried again by the next view. */
  private Future<NodeInfo> info(String nodeId) {
    Future<NodeInfo> info = infoByNode.computeIfAbsent(nodeId, id -> Future.<NodeInfo>future(
      promise -> clusterManager.listedNodeInfo(id, promise)));
    return info.timeout(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS).andThen(read -> {
      if (info.failed() || info.isComplete() && !clusterManager.isProven(nodeId)) {
        infoByNode.remove(nodeId, info);
      }
    });
  }

  private static JsonObject describe(String nodeId, NodeInfo info, boolean self) {
    JsonObject metadata = info.metadata() == null ? new JsonObject() : info.metadata();
    JsonObject member = new JsonObject()
      .put("id", nodeId)
      .put("self", self)
      .put("name", metadata.getString("name"))
      .put("roles", metadata.getJsonArray("roles", new JsonArray()))
      .put("addresses", metadata.getJsonArray("addresses", new JsonArray()))
      .put("eventBus", HostPort.format(info.host(), info.port()))
      .put("hazelcast", metadata.getString("hazelcast"))
      .put("advertise", metadata.getString("advertise"));
    return metadata.getValue("bridge") instanceof JsonObject bridge ? member.put("bridge", bridge) : member;
  }
}
