package dev.berth.node;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import dev.berth.advertise.AdvertiseException;
import dev.berth.advertise.Advertisement;
import dev.berth.advertise.Advertiser;
import dev.berth.cluster.BerthClusterManager;
import dev.berth.cluster.ClusterOptions;
import dev.berth.cluster.ClusterSetup;
import dev.berth.cluster.ClusterTls;
import dev.berth.cluster.GatedHazelcast;
import dev.berth.cluster.JoinCredential;
import dev.berth.cluster.JoinGate;
import dev.berth.cluster.JoinRefusedException;
import dev.berth.cluster.JoinWatch;
import dev.berth.cluster.TlsException;
import dev.berth.config.BerthConfig;
import dev.berth.config.HostPort;
import dev.berth.gateway.GatewayTls;
import dev.berth.observability.NodeMetrics;
import dev.berth.observability.NodeTracing;
import dev.berth.runtime.PeerCheck;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One berth node, worked out before Vert.x starts: its config, what it advertises, the metadata it publishes, and the
 * Vert.x, Hazelcast and event-bus options built once from them; then its Hazelcast member, which joins the cluster
 * through berth's gate before Vert.x starts on it; then the verticle that runs it.
 */
public final class Node {

  /** How long before its certificate expires a node warns at start-up. */
  private static final Duration CERTIFICATE_RENEWAL = Duration.ofDays(30);
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final BerthConfig config;
  private final Advertisement advertisement;
  private final NodeMetadata metadata;
  private final EventBusOptions eventBus;
  private final Config hazelcast;
  private final JoinGate gate;
  private final JoinWatch joinWatch;
  private final ClusterTls tls;
  private final NodeMetrics metrics;
  private final NodeTracing tracing;
  private final NodeTransport transport;
  /** Whether the node serves; until then its member does not merge (see {@link GatedHazelcast#start}). */
  private final AtomicBoolean started = new AtomicBoolean();
  private BerthClusterManager clusterManager;
  private NodeVerticle verticle;

  private Node(BerthConfig config, NodeTransport transport, Advertisement advertisement, NodeMetadata metadata,
               ClusterTls tls, ClusterOptions options) {
    this.config = config;
    this.transport = transport;
    this.advertisement = advertisement;
    this.metadata = metadata;
    this.tls = tls;
    this.eventBus = options.eventBus();
    this.hazelcast = options.hazelcast();
    this.gate = tls != null ? new JoinGate(hazelcast.getClusterName(), JoinCredential.of(tls))
      : config.cluster().joinSecret() != null
      ? new JoinGate(hazelcast.getClusterName(), JoinCredential.ofSecret(config.cluster().joinSecret())) : null;
    this.joinWatch = options.joinWatch();
    this.metrics = NodeMetrics.of(config.management(), metadata.name());
    this.tracing = NodeTracing.of(metadata.name());
  }

  /**
   * Waits for the advertisement once Hazelcast's config is read, so that a Docker lookup started with the JVM has had
   * that long to finish.
   *
   * @param transport what {@code config.transport()} chose on this host
   * @param env       the environment, for the hostname that names a node without a configured name
   * @throws AdvertiseException when the advertise mode cannot be honoured
   * @throws TlsException        when the TLS files cannot be used, the cluster's or the gateway's
   */
  public static Node prepare(BerthConfig config, NodeTransport transport, Advertiser advertiser,
                             Map<String, String> env)
    throws AdvertiseException, TlsException {
    ClusterTls tls = config.cluster().tls() == null ? null : ClusterTls.load(config.cluster().tls());
    if (tls != null && tls.validUntil().isBefore(Instant.now().plus(CERTIFICATE_RENEWAL))) {
      log.warn("this node's certificate {} expires on {}: once it has, the other members send this node nothing;"
        + " make a new one with java -jar berth.jar certs and restart the node", config.cluster().tls().cert(),
        tls.validUntil());
    }
    if (config.runsGateway() && config.gateway().tls() != null) {
      X509Certificate https = GatewayTls.check(config.gateway().tls()).certificate();
      if (https.getNotAfter().toInstant().isBefore(Instant.now().plus(CERTIFICATE_RENEWAL))) {
        log.warn("the gateway's certificate {} expires on {}: renew it and restart the node",
          config.gateway().tls().cert(), https.getNotAfter().toInstant());
      }
    }
    Config hazelcast = ClusterSetup.loadHazelcastConfig();
    Advertisement advertisement = advertiser.advertisement();
    String name = NodeNames.of(config, env, advertiser.container().isPresent());
    NodeMetadata metadata = NodeMetadata.of(config, name, advertisement);
    return new Node(config, transport, advertisement, metadata, tls,
      ClusterSetup.options(hazelcast, config.cluster(), advertisement, metadata.toJson(), tls));
  }

  /**
   * Starts this node's Hazelcast member and joins the cluster, through berth's gate in a TLS or join-secret cluster;
   * blocks until it has joined.
   *
   * @throws JoinRefusedException when the cluster refused this node, or a member it met did not prove it belongs
   */
  public void joinCluster() throws JoinRefusedException {
    if (gate != null) {
      metrics.watch(gate.refusals());
    }
    HazelcastInstance member = GatedHazelcast.start(hazelcast, gate, started::get);
    joinWatch.joined();
    clusterManager = new BerthClusterManager(member, hazelcast, tls);
    verticle = new NodeVerticle(config, metadata, clusterManager, metrics, tracing);
  }

  /** The node serves: its member may now look for a split cluster's other half and merge with it. */
  public void started() {
    started.set(true);
  }

  /**
   * A clustered Vert.x for this node, once it joined the cluster: its event loops, event bus, Hazelcast, transport,
   * metrics and tracer on top of {@code options}.
   */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    options.setEventBusOptions(eventBus);
    if (config.eventLoops() != null) {
      options.setEventLoopPoolSize(config.eventLoops());
    }
    VertxBuilder builder = Vertx.builder().withClusterManager(clusterManager)
      .withTransport(transport.transport(tls == null ? PeerCheck.NONE : tls.peerCheck()));
    metrics.applyTo(options, builder);
    tracing.applyTo(builder);
    return builder.with(options);
  }

  /** Bounds the join by {@code cluster.joinTimeoutMs}; {@code onTimeout} gets one line that says what went wrong. */
  public void watchJoin(Consumer<String> onTimeout) {
    joinWatch.start(config.cluster().joinTimeoutMs(), clusterName(), config.cluster().members(),
      metadata.hazelcast() + " (" + advertisement.reason() + ")", onTimeout);
  }

  /** What runs when the cluster's revocation list, read again, revokes this node's own certificate: its stop. */
  public void onRevokedItself(Consumer<String> stop) {
    clusterManager.onRevokedItself(stop);
  }

  public NodeVerticle verticle() {
    return verticle;
  }

  /** For tests that make the node's membership fail as a crash would. */
  BerthClusterManager clusterManager() {
    return clusterManager;
  }

  public BerthConfig config() {
    return config;
  }

  public NodeMetadata metadata() {
    return metadata;
  }

  public String clusterName() {
    return hazelcast.getClusterName();
  }

  /**
   * The seeds other than this node, when it started a cluster of its own although it has some: a seed that was not up
   * when the node checked it may be one it cannot join, a cluster that keeps strangers out otherwise.
   */
  public List<String> seedsWhenAlone() {
    if (clusterManager.getNodes().size() > 1) {
      return List.of();
    }
    String bound = HostPort.format(config.cluster().host(), config.cluster().hazelcastPort());
    return config.cluster().members().stream()
      .filter(seed -> !seed.equals(bound) && !seed.equals(metadata.hazelcast())).toList();
  }

  /** How this node's cluster keeps strangers out, for the seed check: null for a plain cluster open to anyone. */
  public JoinCredential.Kind gateKind() {
    return gate == null ? null : gate.credential().kind();
  }

  /** The one start-up line: what the node listens on, what it advertises and why, and the cluster it joined. */
  public String readyLine(long uptimeMs) {
    NodeInfo published = clusterManager.getNodeInfo();
    String eventBusHost = eventBus.getHost() != null ? eventBus.getHost() : published.host();
    int eventBusPort = eventBus.getPort() != 0 ? eventBus.getPort() : published.port();
    StringBuilder line = new StringBuilder("node ").append(metadata.name()).append(" ready in ").append(uptimeMs)
      .append(" ms: ");
    if (config.runsGateway()) {
      line.append(config.gateway().tls() == null ? "http" : "https").append(" bound ")
        .append(config.listener("http").address());
      if (config.gateway().verifiesClients()) {
        line.append(" (clients show a certificate from ").append(config.gateway().tls().clientCa());
        if (config.gateway().tls().clientCrl() != null) {
          line.append(", not revoked in ").append(config.gateway().tls().clientCrl());
        }
        line.append(")");
      }
      line.append(", ");
    }
    return line.append("management bound ").append(config.listener("management").address())
      .append("; event bus bound ").append(HostPort.format(eventBusHost, eventBusPort))
      .append(", advertised ").append(HostPort.format(published.host(), published.port()))
      .append("; hazelcast bound ").append(config.listener("hazelcast").address())
      .append(", advertised ").append(metadata.hazelcast())
      .append(" (").append(advertisement.reason()).append("); ")
      .append(config.runsBridge() ? "bridge bound " + config.listener("bridge").address() + " for "
        + String.join(", ", config.bridge().addresses()) + ", clients show the token; " : "")
      .append(tls != null ? "event bus mutual TLS as " + tls.subject() + ", only proven members join and get requests"
        : gate != null ? "event bus plain, only members with the join secret join" : "event bus plain, no cluster.tls"
        + " and no join secret: anyone who reaches the hazelcast port can join")
      .append("; connections on ").append(transport.why())
      .append("; cluster '").append(clusterName())
      .append("' has ").append(clusterManager.getNodes().size()).append(" member(s)")
      .toString();
  }
}
