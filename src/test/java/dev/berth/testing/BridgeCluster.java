package dev.berth.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A gateway JVM ({@code conf/gateway.json}) and a worker JVM whose only workers come through its TCP event-bus bridge
 * ({@link #ADDRESSES}), on loopback, as a user would run them.
 */
public final class BridgeCluster implements AutoCloseable {

  public static final String TOKEN = "test-token-" + Long.toHexString(System.nanoTime());
  public static final Duration BOUND = Duration.ofSeconds(60);
  /** What the bridge's clients may serve: the default routes' addresses, and each worker package's own. */
  public static final List<String> ADDRESSES = List.of("first", "second", "python", "node", "go");

  private final LocalCluster cluster;
  private final Path logs;
  private final int bridgePort = FreePorts.next();
  private final String bridgeConf;

  /** @param bridge extra {@code bridge} settings, such as a shorter {@code timeoutMs} */
  public BridgeCluster(Path logs, JsonObject bridge) {
    this.logs = logs;
    this.cluster = new LocalCluster(logs, List.of("gateway", "bridge"));
    Path conf = logs.resolve("bridge.json");
    try {
      Files.writeString(conf, new JsonObject().put("roles", new JsonArray().add("worker"))
        .put("bridge", bridge.copy().put("host", "127.0.0.1").put("addresses", new JsonArray(ADDRESSES)))
        .put("cluster", new JsonObject().put("host", "127.0.0.1")).encode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.bridgeConf = conf.toString();
    cluster.env("bridge").put("BERTH_BRIDGE_TOKEN", TOKEN);
    cluster.env("bridge").put("BERTH_BRIDGE_PORT", String.valueOf(bridgePort));
  }

  public BridgeCluster start() {
    cluster.start("gateway", "conf/gateway.json");
    startBridge();
    cluster.awaitHealthy(BOUND);
    return this;
  }

  /** Starts the bridge node, again after a stop: same ports, same token. */
  public BerthProcess startBridge() {
    return cluster.start("bridge", bridgeConf).awaitHealthy(BOUND);
  }

  public BerthProcess bridgeNode() {
    return cluster.node("bridge");
  }

  public WorkerProcess worker(WorkerProcess.Language language, String name, String address) {
    return WorkerProcess.start(language, name, address, bridgePort, TOKEN, logs).awaitServing(BOUND);
  }

  /** A worker started without the bridge's token, which must refuse to start. */
  public WorkerProcess workerWithoutToken(WorkerProcess.Language language) {
    return WorkerProcess.start(language, "no-token", "first", bridgePort, null, logs);
  }

  /** Waits until the gateway sees a node consume {@code address}, so that it routes there. */
  public void awaitRouted(String address) {
    cluster.awaitRouted(address, BOUND);
  }

  public BridgeSocket socket() {
    return new BridgeSocket(bridgePort);
  }

  public int bridgePort() {
    return bridgePort;
  }

  /** The bridge as its node's {@code GET /cluster} shows it now. */
  public JsonObject bridgeStatus() {
    JsonObject view = Http.get(cluster.managementUrl("bridge", "/cluster")).json();
    return view.getJsonArray("members").stream().map(JsonObject.class::cast)
      .filter(member -> member.getBoolean("self")).findFirst().orElseThrow().getJsonObject("bridge");
  }

  /** Waits until the bridge's clients hold {@code count} requests between them. */
  public void awaitHolding(int count) {
    Poll.until("the bridge's clients holding " + count + " request(s)", BOUND,
      () -> bridgeStatus().getInteger("holding"), holding -> holding >= count);
  }

  public String url(String path) {
    return cluster.gatewayUrl(path);
  }

  public LocalCluster cluster() {
    return cluster;
  }

  @Override
  public void close() {
    cluster.close();
  }
}
