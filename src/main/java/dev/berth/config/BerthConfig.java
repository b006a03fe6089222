package dev.berth.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The whole configuration of one node, read from the {@code -conf} file with {@code BERTH_*} environment overrides.
 * {@code name} is null when the node should derive it (see {@code NodeNames}); {@code eventLoops} is null for Vert.x's
 * default of two per core; {@code transport} is what its connections run on; {@code bridge} is null on a node without
 * a TCP event-bus bridge.
 */
public record BerthConfig(
  String name,
  Integer eventLoops,
  IoTransport transport,
  Set<Role> roles,
  GatewayConfig gateway,
  List<WorkerConfig> workers,
  ClusterConfig cluster,
  ManagementConfig management,
  BridgeConfig bridge) {

  /** The tail Jackson adds to some messages, pointing into a source it does not show: "(for Array starting at ...". */
  private static final Pattern SOURCE_EXCERPT = Pattern.compile("\\s*\\((for|start marker at) .*$", Pattern.DOTALL);

  public BerthConfig {
    if (name != null) {
      Checks.notBlank("name", name);
    }
    if (eventLoops != null) {
      Checks.inRange("eventLoops", eventLoops, 1, 1024);
    }
    if (transport == null) {
      throw new InvalidConfigException("transport", "is missing");
    }
    if (roles == null || roles.isEmpty()) {
      throw new InvalidConfigException("roles", "is missing: list at least one of gateway, worker");
    }
    roles = Set.copyOf(roles);
    workers = List.copyOf(workers);
    if (roles.contains(Role.WORKER) && workers.isEmpty() && bridge == null) {
      throw new InvalidConfigException("workers", "is missing: a node with the worker role needs at least one worker,"
        + " or a bridge");
    }
    if (!roles.contains(Role.WORKER) && bridge != null) {
      throw new InvalidConfigException("bridge", "is set but roles do not include worker: bridge clients are workers");
    }
    if (!roles.contains(Role.WORKER) && !workers.isEmpty()) {
      throw new InvalidConfigException("workers", "is set but roles do not include worker");
    }
    if (gateway == null) {
      throw new InvalidConfigException("gateway", "is missing");
    }
    if (cluster == null) {
      throw new InvalidConfigException("cluster", "is missing");
    }
    if (management == null) {
      throw new InvalidConfigException("management", "is missing");
    }
  }

  /** The same node, joining as {@code cluster} says. */
  public BerthConfig withCluster(ClusterConfig newCluster) {
    return new BerthConfig(name, eventLoops, transport, roles, gateway, workers, newCluster, management, bridge);
  }

  /**
   * Every port this node listens on, the one list that the port check, the start-up line and the node's metadata
   * read: HTTP (a gateway), management, Hazelcast, the event bus, and the bridge (a node with one).
   */
  public List<Listener> listeners() {
    List<Listener> listeners = new ArrayList<>();
    if (runsGateway()) {
      listeners.add(new Listener("http", "gateway.httpPort", EnvOverride.BERTH_HTTP_PORT, gateway.host(),
        gateway.httpPort()));
    }
    listeners.add(new Listener("management", "management.port", EnvOverride.BERTH_MANAGEMENT_PORT, management.host(),
      management.port()));
    listeners.add(new Listener("hazelcast", "cluster.hazelcastPort", EnvOverride.BERTH_HAZELCAST_PORT, cluster.host(),
      cluster.hazelcastPort()));
    listeners.add(new Listener("event bus", "cluster.eventBusPort", EnvOverride.BERTH_EVENTBUS_PORT, cluster.host(),
      cluster.eventBusPort()));
    if (runsBridge()) {
      listeners.add(new Listener("bridge", "bridge.port", EnvOverride.BERTH_BRIDGE_PORT, bridge.host(), bridge.port()));
    }
    return List.copyOf(listeners);
  }

  /** The listener for {@code purpose}, which this node has. */
  public Listener listener(String purpose) {
    return listeners().stream().filter(listener -> listener.purpose().equals(purpose)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("this node listens for no " + purpose));
  }

  public boolean runsGateway() {
    return roles.contains(Role.GATEWAY);
  }

  public boolean runsWorkers() {
    return roles.contains(Role.WORKER);
  }

  public boolean runsBridge() {
    return bridge != null;
  }

  public static BerthConfig fromJson(JsonObject json) {
    ConfigReader root = ConfigReader.root(json)
      .allowOnly("name", "eventLoops", "transport", "roles", "gateway", "workers", "cluster", "management", "bridge");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    List<String> roleNames = root.strings("roles", List.of());
    for (int i = 0; i < roleNames.size(); i++) {
      if (!roles.add(Role.parse("roles[" + i + "]", roleNames.get(i)))) {
        throw new InvalidConfigException("roles[" + i + "]", "repeats role \"" + roleNames.get(i) + "\"");
      }
    }
    if (root.has("gateway") && !roles.contains(Role.GATEWAY)) {
      throw new InvalidConfigException("gateway", "is set but roles do not include gateway");
    }
    List<WorkerConfig> workers = new ArrayList<>();
    for (ConfigReader worker : root.objects("workers")) {
      workers.add(WorkerConfig.fromJson(worker));
    }
    return new BerthConfig(
      root.string("name", null),
      root.optionalInteger("eventLoops"),
      IoTransport.parse(root.key("transport"), root.string("transport", IoTransport.AUTO.configName())),
      roles,
      GatewayConfig.fromJson(root.object("gateway")),
      workers,
      ClusterConfig.fromJson(root.object("cluster")),
      ManagementConfig.fromJson(root.object("management")),
      BridgeConfig.fromJson(root.object("bridge"), root.has("bridge")));
  }

  /**
   * Reads and validates a config file, applying the environment overrides.
   *
   * @throws ConfigException with one line naming the file, the key and, when it came from there, the variable
   */
  public static BerthConfig load(Path file, Map<String, String> env) {
    JsonObject json = readJson(file);
    Map<String, EnvOverride> overridden = new HashMap<>();
    try {
      for (EnvOverride override : EnvOverride.values()) {
        if (override.appliesTo(env, json)) {
          overridden.put(override.key(), override);
          override.applyTo(json, env);
        }
      }
      return fromJson(json);
    } catch (InvalidConfigException e) {
      throw problem(file, e, overridden.get(e.key()));
    }
  }

  /**
   * A value of the config loaded from {@code file} that this host cannot honour, found after loading: one line, as
   * {@link #load} says a broken value, naming the variable when one set it.
   */
  public static ConfigException rejected(Path file, Map<String, String> env, InvalidConfigException e) {
    EnvOverride source = Arrays.stream(EnvOverride.values())
      .filter(override -> override.key().equals(e.key()) && !env.getOrDefault(override.name(), "").isBlank())
      .findFirst().orElse(null);
    return problem(file, e, source);
  }

  private static ConfigException problem(Path file, InvalidConfigException e, EnvOverride source) {
    String from = source == null ? "" : " (from " + source.name() + ")";
    return new ConfigException(file + ": " + e.key() + from + " " + e.problem());
  }

  private static JsonObject readJson(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": cannot read config: no such file");
    } catch (AccessDeniedException e) {
      throw new ConfigException(file + ": cannot read config: permission denied");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read config: " + e.getMessage());
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException(file + ": invalid JSON" + describe(e));
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException(file + ": invalid config: the top level must be a JSON object");
    }
    return object;
  }

  /** Jackson's own words and position, without the source excerpt it appends. */
  private static String describe(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException parseError && parseError.getLocation() != null) {
      String reason = SOURCE_EXCERPT.matcher(parseError.getOriginalMessage()).replaceFirst("");
      return " at line " + parseError.getLocation().getLineNr() + ", column " + parseError.getLocation().getColumnNr()
        + ": " + reason.replace('\n', ' ');
    }
    return ": " + e.getMessage().replace('\n', ' ');
  }
}
