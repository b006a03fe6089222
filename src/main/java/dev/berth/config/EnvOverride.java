package dev.berth.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The environment variables that override config keys: what differs per deployment (ports, host IP, seed members).
 * An empty value counts as unset, so that compose's {@code ${VAR:-}} can pass a variable through. A variable for one
 * role is ignored by nodes without that role, and one for the bridge by nodes without one, so that one environment
 * file can serve every node of a host.
 */
public enum EnvOverride {
  BERTH_NAME("name", Type.STRING),
  BERTH_EVENT_LOOPS("eventLoops", Type.INTEGER),
  BERTH_TRANSPORT("transport", Type.STRING),
  BERTH_CLUSTER_NAME("cluster.name", Type.STRING),
  BERTH_CLUSTER_HOST("cluster.host", Type.STRING),
  BERTH_CLUSTER_MEMBERS("cluster.members", Type.LIST),
  BERTH_CLUSTER_SEED_WAIT_MS("cluster.seedWaitMs", Type.INTEGER),
  BERTH_CLUSTER_JOIN_TIMEOUT_MS("cluster.joinTimeoutMs", Type.INTEGER),
  BERTH_HAZELCAST_PORT("cluster.hazelcastPort", Type.INTEGER),
  BERTH_EVENTBUS_PORT("cluster.eventBusPort", Type.INTEGER),
  BERTH_ADVERTISE("cluster.advertise.mode", Type.STRING),
  BERTH_HOST_IP("cluster.advertise.hostIp", Type.STRING),
  BERTH_ADVERTISE_SUBNET("cluster.advertise.subnet", Type.STRING),
  BERTH_ZONE("cluster.zone", Type.STRING),
  BERTH_CONTAINER_ID("cluster.advertise.containerId", Type.STRING),
  BERTH_PUBLIC_HAZELCAST_PORT("cluster.advertise.hazelcastPort", Type.INTEGER),
  BERTH_PUBLIC_EVENTBUS_PORT("cluster.advertise.eventBusPort", Type.INTEGER),
  BERTH_TLS_CA("cluster.tls.ca", Type.STRING),
  BERTH_TLS_CERT("cluster.tls.cert", Type.STRING),
  BERTH_TLS_KEY("cluster.tls.key", Type.STRING),
  BERTH_TLS_CRL("cluster.tls.crl", Type.STRING),
  BERTH_JOIN_SECRET("cluster.joinSecret", Type.STRING),
  BERTH_JOIN_SECRET_FILE("cluster.joinSecretFile", Type.STRING),
  BERTH_HTTP_PORT("gateway.httpPort", Type.INTEGER, Role.GATEWAY),
  BERTH_HTTPS_CERT("gateway.tls.cert", Type.STRING, Role.GATEWAY),
  BERTH_HTTPS_KEY("gateway.tls.key", Type.STRING, Role.GATEWAY),
  BERTH_HTTPS_CLIENT_CA("gateway.tls.clientCa", Type.STRING, Role.GATEWAY),
  BERTH_HTTPS_CLIENT_CRL("gateway.tls.clientCrl", Type.STRING, Role.GATEWAY),
  BERTH_ACCESS_LOG("gateway.accessLog", Type.BOOLEAN, Role.GATEWAY),
  BERTH_MANAGEMENT_PORT("management.port", Type.INTEGER),
  BERTH_BRIDGE_PORT("bridge.port", Type.INTEGER, "bridge"),
  BERTH_BRIDGE_HOST("bridge.host", Type.STRING, "bridge"),
  BERTH_BRIDGE_TOKEN("bridge.token", Type.STRING, "bridge"),
  BERTH_BRIDGE_TOKEN_FILE("bridge.tokenFile", Type.STRING, "bridge");

  private enum Type { STRING, INTEGER, BOOLEAN, LIST }

  private final String key;
  private final Type type;
  private final Role role;
  private final String section;

  EnvOverride(String key, Type type) {
    this(key, type, null, null);
  }

  EnvOverride(String key, Type type, Role role) {
    this(key, type, role, null);
  }

  EnvOverride(String key, Type type, String section) {
    this(key, type, null, section);
  }

  EnvOverride(String key, Type type, Role role, String section) {
    this.key = key;
    this.type = type;
    this.role = role;
    this.section = section;
  }

  /** The config key this variable overrides, as a dotted path. */
  public String key() {
    return key;
  }

  /** Whether this variable is set and concerns a node with {@code config}: its role, and its section when optional. */
  boolean appliesTo(Map<String, String> env, JsonObject config) {
    String value = env.get(name());
    JsonArray roleNames = config.getValue("roles") instanceof JsonArray array ? array : new JsonArray();
    return value != null && !value.isBlank() && (role == null || roleNames.contains(role.configName()))
      && (section == null || config.getValue(section) instanceof JsonObject);
  }

  /** Writes the value of this variable, which must be set, into the config. */
  void applyTo(JsonObject config, Map<String, String> env) {
    String value = env.get(name());
    List<String> path = Arrays.asList(key.split("\\."));
    JsonObject parent = config;
    for (String segment : path.subList(0, path.size() - 1)) {
      Object child = parent.getValue(segment);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        parent.put(segment, child);
      }
      parent = (JsonObject) child;
    }
    parent.put(path.get(path.size() - 1), convert(value.trim()));
  }

  private Object convert(String value) {
    return switch (type) {
      case STRING -> value;
      case INTEGER -> {
        try {
          yield Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new InvalidConfigException(key, "must be an integer, was \"" + value + "\"");
        }
      }
      case BOOLEAN -> switch (value) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new InvalidConfigException(key, "must be true or false, was \"" + value + "\"");
      };
      case LIST -> new JsonArray(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    };
  }
}
