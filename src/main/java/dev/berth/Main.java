package dev.berth;

import dev.berth.cluster.AdvertiseException;
import dev.berth.cluster.Advertisement;
import dev.berth.cluster.ClusterSetup;
import dev.berth.cluster.FlushCoalescingTransport;
import dev.berth.cluster.HostPort;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.node.NodeMetadata;
import dev.berth.node.NodeVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.transport.Transport;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code java -jar berth.jar -conf conf/<role>.json}: reads and checks the config, works out what to advertise (asking
 * the Docker API when the node runs in a container with published ports), then
 * lets the Vert.x launcher start a clustered Vert.x and deploy the {@link NodeVerticle}. On SIGTERM or SIGINT it drains
 * the node, leaves the cluster and exits 0.
 */
public final class Main extends VertxApplication implements VertxApplicationHooks {

  /** sysexits.h EX_CONFIG: the config file or environment must be fixed before the node can start. */
  static final int EXIT_CONFIG = 78;
  private static final long CLOSE_TIMEOUT_MS = 30_000;

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private final BerthConfig config;
  private final Map<String, String> env;
  private final AdvertisementLookup lookup;
  private NodeMetadata metadata;
  private Advertisement advertisement;
  private HazelcastClusterManager clusterManager;
  private long lookupWaitMs;
  private NodeVerticle node;

  private Main(String[] launcherArguments, BerthConfig config, Map<String, String> env, AdvertisementLookup lookup) {
    super(launcherArguments);
    this.config = config;
    this.env = env;
    this.lookup = lookup;
  }

  /** Reads the config before the launcher does: the launcher would only warn about a broken one. */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    AdvertisementLookup lookup = AdvertisementLookup.start(env);
    LaunchArguments arguments = LaunchArguments.parse(args);
    BerthConfig config = null;
    if (!arguments.helpRequested()) {
      if (arguments.conf() == null) {
        exit(EXIT_CONFIG, "no config given: run java -jar berth.jar -conf conf/<role>.json");
      }
      try {
        config = BerthConfig.load(arguments.conf(), env);
      } catch (ConfigException e) {
        exit(EXIT_CONFIG, e.getMessage());
      }
      String conflict = PortCheck.firstConflict(config);
      if (conflict != null) {
        exit(EXIT_CONFIG, conflict);
      }
    }
    new Main(arguments.forLauncher(), config, env, lookup).launch();
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    if (config == null) {
      return Vertx.builder().with(options);
    }
    clusterManager = new HazelcastClusterManager(ClusterSetup.hazelcastConfig(config.cluster()));
    options.setEventBusOptions(ClusterSetup.eventBusOptions(config.cluster()));
    if (config.eventLoops() != null) {
      options.setEventLoopPoolSize(config.eventLoops());
    }
    return Vertx.builder().with(options).withClusterManager(clusterManager)
      .withTransport(FlushCoalescingTransport.over(Transport.NIO));
  }

  /** The last moment before anything starts: the advertisement, looked up meanwhile, completes the cluster config. */
  @Override
  public void beforeStartingVertx(HookContext context) {
    if (config == null) {
      return;
    }
    long waitStart = System.nanoTime();
    try {
      advertisement = lookup.resolve(config.cluster());
    } catch (AdvertiseException e) {
      exit(EXIT_CONFIG, e.getMessage());
    }
    lookupWaitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart);
    boolean inContainer = lookup.container(config.cluster()).isPresent();
    metadata = NodeMetadata.of(config, NodeNames.of(config, env, inContainer), advertisement.mode().configName());
    ClusterSetup.advertise(clusterManager.getConfig(), context.vertxOptions().getEventBusOptions(), config.cluster(),
      advertisement, metadata.toJson());
  }

  /** After the launcher's own log of the failure, one line that says what probably went wrong and where to look. */
  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable failure) {
    System.err.println("berth: could not start the node in cluster '" + clusterManager.getConfig().getClusterName()
      + "' with seeds " + config.cluster().members() + " (" + (failure == null ? "timed out" : failure.getMessage())
      + "): check BERTH_CLUSTER_MEMBERS, that the seeds' Hazelcast ports are reachable and that what they advertise"
      + " is reachable from here");
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> node = new NodeVerticle(config, metadata, clusterManager);
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    log.info("node {} ready in {} ms: {}", metadata.name(), ManagementFactory.getRuntimeMXBean().getUptime(),
      describeBinding(context.vertxOptions().getEventBusOptions()));
    Signal.handle(new Signal("TERM"), signal -> stopOnSignal(context.vertx(), "SIGTERM"));
    Signal.handle(new Signal("INT"), signal -> stopOnSignal(context.vertx(), "SIGINT"));
  }

  private String describeBinding(EventBusOptions eventBus) {
    NodeInfo published = clusterManager.getNodeInfo();
    String eventBusHost = eventBus.getHost() != null ? eventBus.getHost() : published.host();
    int eventBusPort = eventBus.getPort() != 0 ? eventBus.getPort() : published.port();
    return "event bus bound " + HostPort.format(eventBusHost, eventBusPort)
      + ", advertised " + HostPort.format(published.host(), published.port())
      + "; hazelcast bound " + HostPort.format(config.cluster().host(), config.cluster().hazelcastPort())
      + ", advertised " + published.metadata().getString("hazelcast")
      + " (" + advertisement.reason() + ", start-up waited " + lookupWaitMs + " ms for it); cluster '" + clusterManager.getHazelcastInstance().getConfig().getClusterName()
      + "' has " + clusterManager.getNodes().size() + " member(s)";
  }

  /** Runs off the signal thread: drain, leave the cluster, then exit 0, or 1 when a step failed or timed out. */
  private void stopOnSignal(Vertx vertx, String signal) {
    Thread stopper = new Thread(() -> {
      log.info("{}: draining node {}, in flight {}", signal, metadata.name(), node.inFlight().toJson().encode());
      int status = 0;
      try {
        node.drain().toCompletionStage().toCompletableFuture().get(drainTimeoutMs(), TimeUnit.MILLISECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        log.info("node {} left the cluster and stopped", metadata.name());
      } catch (Exception e) {
        log.error("node {} did not stop cleanly: {}", metadata.name(), e.toString());
        status = 1;
      }
      System.exit(status);
    }, "berth-stop");
    stopper.start();
  }

  /** The gateway waits at most its request timeout for replies, a worker its delay; both plus a margin. */
  private long drainTimeoutMs() {
    int longestDelay = config.workers().stream().mapToInt(worker -> worker.delayMs()).max().orElse(0);
    return config.gateway().requestTimeoutMs() + longestDelay + 5_000L;
  }

  private static void exit(int status, String message) {
    System.err.println("berth: " + message);
    System.exit(status);
  }
}
