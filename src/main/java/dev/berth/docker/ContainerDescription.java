package dev.berth.docker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of the Docker Engine API's container inspection ({@code GET /containers/{id}/json}) that berth reads: the
 * network mode, the published ports and the container's networks, by name. Read from the JSON as the API writes it,
 * field names included, so that no more of the large document is mapped than berth uses.
 */
record ContainerDescription(String networkMode, Map<String, List<Binding>> ports, Map<String, Network> networks) {

  /** One host binding of a container port, as {@code NetworkSettings.Ports} lists it. */
  record Binding(String hostIp, int hostPort) {
  }

  /** The container's address on one network and that network's gateway, the host as the container sees it. */
  record Network(String ipAddress, String gateway) {
  }

  /**
   * @throws IllegalArgumentException naming the field when the document does not have the documented shape
   */
  static ContainerDescription fromJson(JsonObject inspection) {
    JsonObject hostConfig = object(inspection, "HostConfig");
    JsonObject settings = object(inspection, "NetworkSettings");
    Map<String, List<Binding>> ports = new LinkedHashMap<>();
    JsonObject portsJson = object(settings, "Ports");
    for (String port : portsJson.fieldNames()) {
      List<Binding> bindings = new ArrayList<>();
      // An exposed port that is not published has null bindings.
      JsonArray bindingsJson = portsJson.getValue(port) instanceof JsonArray array ? array : new JsonArray();
      for (Object binding : bindingsJson) {
        JsonObject bindingJson = (JsonObject) binding;
        bindings.add(new Binding(bindingJson.getString("HostIp", ""), hostPort(port, bindingJson.getString("HostPort"))));
      }
      ports.put(port, List.copyOf(bindings));
    }
    Map<String, Network> networks = new TreeMap<>();
    JsonObject networksJson = object(settings, "Networks");
    for (String name : networksJson.fieldNames()) {
      JsonObject network = networksJson.getJsonObject(name);
      networks.put(name, new Network(network.getString("IPAddress", ""), network.getString("Gateway", "")));
    }
    return new ContainerDescription(hostConfig.getString("NetworkMode", ""), Map.copyOf(ports),
      Collections.unmodifiableMap(networks));
  }

  /** The host bindings of a TCP port of the container; empty when it is not published. */
  List<Binding> tcpBindings(int containerPort) {
    return ports.getOrDefault(containerPort + "/tcp", List.of());
  }

  boolean usesHostNetwork() {
    return "host".equals(networkMode);
  }

  private static JsonObject object(JsonObject parent, String field) {
    Object value = parent.getValue(field);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("field " + field + " is not an object");
    }
    return object;
  }

  private static int hostPort(String containerPort, String hostPort) {
    try {
      return Integer.parseInt(hostPort);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port " + containerPort + " has the host port \"" + hostPort + "\"");
    }
  }
}
