package dev.berth.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Berth JVMs on loopback forming one cluster of their own: a random cluster name, free ports for every node, and the
 * seed nodes' Hazelcast ports as the members list, passed as the {@code BERTH_*} variables a user would set.
 */
public final class LocalCluster implements AutoCloseable {

  private final Path logs;
  private final String name = "it-" + UUID.randomUUID();
  private final int httpPort = FreePorts.next();
  private final String members;
  private final Map<String, Integer> seedPorts = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> envByNode = new HashMap<>();
  private final Map<String, BerthProcess> nodes = new LinkedHashMap<>();

  /** {@code seeds} are the nodes whose Hazelcast ports make up the members list; output goes to {@code logs}. */
  public LocalCluster(Path logs, List<String> seeds) {
    this.logs = logs;
    seeds.forEach(seed -> seedPorts.put(seed, FreePorts.next()));
    List<String> addresses = new ArrayList<>();
    seedPorts.values().forEach(port -> addresses.add("127.0.0.1:" + port));
    this.members = String.join(",", addresses);
  }

  /** Starts a node, a seed or any other; the same name gets the same ports again when restarted. */
  public BerthProcess start(String node, String conf) {
    BerthProcess process = BerthProcess.start(node, conf, env(node), logs);
    nodes.put(node, process);
    return process;
  }

  /** Starts a node with {@code classes} on the classpath beside the jar: a worker with its own handler. */
  public BerthProcess startWith(Path classes, String node, String conf) {
    BerthProcess process = BerthProcess.startWith(classes, node, conf, env(node), logs);
    nodes.put(node, process);
    return process;
  }

  public Map<String, String> env(String node) {
    return envByNode.computeIfAbsent(node, this::newEnv);
  }

  public BerthProcess node(String name) {
    return nodes.get(name);
  }

  public Map<String, BerthProcess> nodes() {
    return nodes;
  }

  public void awaitHealthy(Duration timeout) {
    nodes.values().forEach(node -> node.awaitHealthy(timeout));
  }

  /**
   * Waits until the gateway routes both of the shipped configs' addresses, {@code first} and {@code second}: a node's
   * health is its own state, and the gateway learns of the workers' consumers a moment later.
   */
  public void awaitRoutedToWorkers(Duration timeout) {
    List.of("first", "second").forEach(address -> awaitRouted(address, timeout));
  }

  /** Waits until the gateway sees a node consume {@code address}, so that it routes there. */
  public void awaitRouted(String address, Duration timeout) {
    Poll.until("the gateway routing to " + address, timeout,
      () -> Http.get(managementUrl("gateway", "/cluster")).json().getJsonObject("consumers", new JsonObject()),
      consumers -> !consumers.getJsonArray(address, new JsonArray()).isEmpty());
  }

  public String name() {
    return name;
  }

  public Path logs() {
    return logs;
  }

  public int httpPort() {
    return httpPort;
  }

  public String gatewayUrl(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  public String managementUrl(String node, String path) {
    return "http://127.0.0.1:" + env(node).get("BERTH_MANAGEMENT_PORT") + path;
  }

  @Override
  public void close() {
    nodes.values().forEach(BerthProcess::close);
  }

  private Map<String, String> newEnv(String node) {
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_NAME", node);
    env.put("BERTH_CLUSTER_NAME", name);
    env.put("BERTH_CLUSTER_MEMBERS", members);
    env.put("BERTH_HAZELCAST_PORT", String.valueOf(seedPorts.getOrDefault(node, FreePorts.next())));
    env.put("BERTH_MANAGEMENT_PORT", String.valueOf(FreePorts.next()));
    env.put("BERTH_HTTP_PORT", String.valueOf(httpPort));
    return env;
  }
}
