package dev.berth.node;

import dev.berth.advertise.Advertisement;
import dev.berth.config.BerthConfig;
import dev.berth.config.Role;
import dev.berth.config.WorkerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.stream.Stream;

/**
 * What a node tells the cluster about itself, carried in Vert.x's node metadata and listed by {@code GET /cluster}:
 * name, roles, the addresses its workers serve, how it chose its advertised addresses, its Hazelcast address,
 * its bridge's port and addresses (null without one), and whether it runs with TLS (in a TLS cluster, its proof of membership is added once it knows its node id).
 */
public record NodeMetadata(String name, List<String> roles, List<String> addresses, String advertise, String hazelcast,
                           boolean tls, JsonObject bridge) {

  /** The addresses are those of its workers and those its bridge's clients may serve, which its proof covers. */
  public static NodeMetadata of(BerthConfig config, String name, Advertisement advertisement) {
    List<String> roles = config.roles().stream().sorted().map(Role::configName).toList();
    List<String> addresses = Stream.concat(config.workers().stream().map(WorkerConfig::address),
      config.runsBridge() ? config.bridge().addresses().stream() : Stream.empty()).distinct().toList();
    JsonObject bridge = config.runsBridge()
      ? new JsonObject().put("port", config.listener("bridge").port())
        .put("addresses", new JsonArray(config.bridge().addresses()))
      : null;
    return new NodeMetadata(name, roles, addresses, advertisement.mode().configName(), advertisement.hazelcastAddress(),
      config.cluster().tls() != null, bridge);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("name", name)
      .put("roles", new JsonArray(roles))
      .put("addresses", new JsonArray(addresses))
      .put("advertise", advertise)
      .put("hazelcast", hazelcast)
      .put("tls", tls);
    return bridge == null ? json : json.put("bridge", bridge);
  }
}
