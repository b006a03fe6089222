package dev.berth;

import ch.qos.logback.classic.LoggerContext;
import dev.berth.advertise.AdvertiseException;
import dev.berth.advertise.Advertiser;
import dev.berth.cluster.ClusterCertificates;
import dev.berth.cluster.JoinRefusedException;
import dev.berth.cluster.SeedCheck;
import dev.berth.cluster.TlsException;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.config.InvalidConfigException;
import dev.berth.node.Node;
import dev.berth.node.NodeTransport;
import dev.berth.node.PortCheck;
import dev.berth.worker.HandlerException;
import dev.berth.worker.WorkerHandlers;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code java -jar berth.jar -conf conf/<role>.json}: reads and checks the config, starts working out what to
 * advertise (asking the Docker API when the node runs in a container with published ports), then lets the Vert.x
 * launcher start a clustered Vert.x and deploy the node. On SIGTERM or SIGINT the launcher's shutdown hook closes
 * Vert.x; before it does, the node drains, and once it has left the cluster the process exits 0.
 */
public final class Main extends VertxApplication implements VertxApplicationHooks {

  /** sysexits.h EX_CONFIG: the config file or environment must be fixed before the node can start. */
  public static final int EXIT_CONFIG = 78;
  /** A stop that did not finish within its bound (the drain, or leaving the cluster). */
  public static final int EXIT_UNCLEAN_STOP = 1;
  /** The cluster could not be joined, as the Vert.x launcher says when Hazelcast fails to start. */
  public static final int EXIT_NO_CLUSTER = 11;

  static {
    // Before any name is looked up (logging's set-up looks up this host): a seed name that does not resolve yet, a Swarm
    // service before its first task is healthy, is asked again after 1 s, not the JDK's 10 (cluster.seedWaitMs).
    Security.setProperty("networkaddress.cache.negative.ttl", "1");
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private final BerthConfig config;
  private final Map<String, String> env;
  private final Advertiser advertiser;
  private final SeedCheck seedCheck;
  private final NodeTransport transport;
  private Node node;
  /** How a node that was serving ended its stop; null while it is not stopping, or when it never served. */
  private volatile Integer stopStatus;
  /** The status a stop that drained ends with: 78 once the node stops because its certificate was revoked. */
  private final AtomicInteger drainedStatus = new AtomicInteger();

  private Main(String[] launcherArguments, BerthConfig config, NodeTransport transport, Map<String, String> env,
               Advertiser advertiser, SeedCheck seedCheck) {
    super(launcherArguments);
    this.config = config;
    this.transport = transport;
    this.env = env;
    this.advertiser = advertiser;
    this.seedCheck = seedCheck;
  }

  /** Reads the config before the launcher does: the launcher would only warn about a broken one. */
  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("certs") || args[0].equals("revoke"))) {
      certificates(args[0], Arrays.asList(args).subList(1, args.length));
      return;
    }
    Map<String, String> env = System.getenv();
    LaunchArguments arguments = LaunchArguments.parse(args);
    if (arguments.helpRequested()) {
      new Main(arguments.forLauncher(), null, null, env, null, null).launch();
      return;
    }
    if (arguments.conf() == null) {
      exit(EXIT_CONFIG, "no config given: run java -jar berth.jar -conf conf/<role>.json");
    }
    BerthConfig config = null;
    try {
      config = BerthConfig.load(arguments.conf(), env);
    } catch (ConfigException e) {
      exit(EXIT_CONFIG, e.getMessage());
    }
    try {
      WorkerHandlers.check(config.workers());
    } catch (HandlerException e) {
      exit(EXIT_CONFIG, arguments.conf() + ": " + e.getMessage());
    }
    String conflict = PortCheck.firstConflict(config);
    if (conflict != null) {
      exit(EXIT_CONFIG, conflict);
    }
    NodeTransport transport = null;
    try {
      transport = NodeTransport.of(config.transport());
    } catch (InvalidConfigException e) {
      exit(EXIT_CONFIG, BerthConfig.rejected(arguments.conf(), env, e).getMessage());
    }
    new Main(arguments.forLauncher(), config, transport, env, Advertiser.start(config.cluster(), env),
      SeedCheck.start(config.cluster().members())).launch();
  }

  /**
   * The last moment before the options are handed over: the advertisement and the seeds, checked meanwhile, complete
   * them; then the node joins the cluster, so that Vert.x starts on a member the cluster admitted. Hazelcast can wait
   * for ever in a join it cannot complete: the node gives up after its bound, and says why.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    SeedCheck.Result seeds = seedCheck.await();
    seeds.leftOut().forEach(log::warn);
    if (seeds.seeds().isEmpty() && !config.cluster().members().isEmpty()) {
      exit(EXIT_CONFIG, "no seed in cluster.members (BERTH_CLUSTER_MEMBERS) is a Hazelcast member port: "
        + String.join("; ", seeds.leftOut()));
    }
    try {
      node = Node.prepare(config.withCluster(config.cluster().withMembers(seeds.seeds())), transport, advertiser, env);
    } catch (AdvertiseException | TlsException e) {
      exit(EXIT_CONFIG, e.getMessage());
    }
    seeds.gateMismatch(node.gateKind()).ifPresent(mismatch -> exit(EXIT_CONFIG, mismatch));
    node.watchJoin(reason -> exit(EXIT_NO_CLUSTER, reason));
    try {
      node.joinCluster();
    } catch (JoinRefusedException e) {
      exit(EXIT_CONFIG, e.getMessage());
    } catch (RuntimeException e) {
      exit(EXIT_NO_CLUSTER, "could not start the node in cluster '" + node.clusterName() + "' with seeds "
        + config.cluster().members() + " (" + e.getMessage() + "): check BERTH_CLUSTER_MEMBERS, that the seeds'"
        + " Hazelcast ports are reachable and that what they advertise is reachable from here, and that this node's"
        + " cluster.xml matches theirs (Hazelcast logs a 'Configuration mismatch' above when not)");
    }
    List<String> unjoined = node.seedsWhenAlone();
    if (!unjoined.isEmpty()) {
      SeedCheck.start(unjoined).await().gateMismatch(node.gateKind()).ifPresent(mismatch -> exit(EXIT_CONFIG, mismatch));
    }
    return node.vertxBuilder(options);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return node::verticle;
  }

  /** A node whose verticles could not all start leaves the cluster, and the launcher exits 15. */
  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    context.vertx().close();
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    node.started();
    node.onRevokedItself(this::revokedItself);
    log.info(node.readyLine(ManagementFactory.getRuntimeMXBean().getUptime()));
  }

  /**
   * The list, read again, revokes this node's certificate: the node stops as on SIGTERM (it drains and leaves the
   * cluster), and exits 78, as it would at start-up with that list, even when its drain ran out of time (logged). A
   * revoked master steps down so.
   */
  private void revokedItself(String reason) {
    if (drainedStatus.compareAndSet(0, EXIT_CONFIG)) {
      // Not on the event loop that found it: the stop drains on a shutdown hook that needs the event loops.
      Thread stop = new Thread(() -> exit(EXIT_CONFIG, reason + "; this node drains, leaves the cluster and stops"),
        "berth-revoked-stop");
      stop.start();
    }
  }

  /**
   * Called by Vert.x's close, which the launcher's shutdown hook starts on SIGTERM or SIGINT, before anything is
   * undeployed: a node that was serving drains here, on the hook's thread, while the event loops still run.
   */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    if (!node.verticle().serving()) {
      return;
    }
    log.info("draining node {}, in flight {}", node.metadata().name(), node.verticle().inFlight().toJson().encode());
    long budgetMs = node.verticle().drainBudget().toMillis();
    try {
      node.verticle().drain().toCompletionStage().toCompletableFuture().get(budgetMs, TimeUnit.MILLISECONDS);
      stopStatus = drainedStatus.get();
    } catch (Exception e) {
      log.error("node {} did not drain within {} ms: {}", node.metadata().name(), budgetMs, e.toString());
      stopStatus = uncleanStopStatus();
    }
  }

  /**
   * The JVM would exit 143 after SIGTERM; a node that drained and left the cluster says so with 0 (78 when it stopped
   * because its certificate was revoked). Any other exit
   * (a failed deployment's 15, say) keeps its own status.
   */
  @Override
  public void afterVertxStopped(HookContext context) {
    Integer status = stopStatus;
    if (status != null) {
      log.info("node {} left the cluster and stopped", node.metadata().name());
      halt(status);
    }
  }

  @Override
  public void afterFailureToStopVertx(HookContext context, Throwable failure) {
    log.error("node {} did not leave the cluster cleanly: {}", node.metadata().name(),
      failure == null ? "timed out" : failure.toString());
    if (stopStatus != null) {
      halt(uncleanStopStatus());
    }
  }

  /** 1 for a stop that did not end cleanly, but 78 for a revoked node's: the revocation is what an operator must see. */
  private int uncleanStopStatus() {
    return drainedStatus.get() == EXIT_CONFIG ? EXIT_CONFIG : EXIT_UNCLEAN_STOP;
  }

  /** Ends the JVM with {@code status}, once the lines still queued for the log (the access log's) are written. */
  private static void halt(int status) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
    Runtime.getRuntime().halt(status);
  }

  /**
   * {@code certs [--ca-key <file>] <dir> <node>...}: the cluster's authority, made once, and a certificate for each
   * node; {@code revoke [--ca-key <file>] <dir> <node>...}: the nodes' certificates revoked in the authority's list.
   */
  private static void certificates(String command, List<String> arguments) {
    boolean revoke = command.equals("revoke");
    boolean keyElsewhere = arguments.size() >= 2 && arguments.get(0).equals("--ca-key");
    List<String> rest = keyElsewhere ? arguments.subList(2, arguments.size()) : arguments;
    if (rest.isEmpty() || rest.get(0).startsWith("-")
      || !rest.stream().skip(1).allMatch(node -> NODE_NAME.matcher(node).matches())) {
      exit(EXIT_CONFIG, "usage: java -jar berth.jar " + command + " [--ca-key <file>] <dir> <node>...: " + (revoke
        ? "revokes <dir>/<node>.pem for each node in the authority's list <dir>/crl.pem (made when missing, also"
          + " with no node), signed with its key (<dir>/ca-key.pem, or <file>), and moves the node's files to"
          + " <dir>/revoked/"
        : "makes <dir>/ca.pem and its key (<dir>/ca-key.pem, or <file>) once, and <dir>/<node>.pem and"
          + " <dir>/<node>-key.pem for each node not there yet") + " (node names: letters, digits, . _ -)");
    }
    Path directory = Path.of(rest.get(0));
    Path authorityKey = keyElsewhere ? Path.of(arguments.get(1)) : directory.resolve(ClusterCertificates.AUTHORITY_KEY);
    ClusterCertificates authority = new ClusterCertificates(directory, authorityKey);
    List<String> nodes = rest.subList(1, rest.size());
    try {
      (revoke ? authority.revoke(nodes) : authority.make(nodes)).forEach(System.out::println);
    } catch (IOException | GeneralSecurityException e) {
      exit(EXIT_CONFIG, "cannot " + (revoke ? "revoke certificates" : "make certificates") + " in " + directory + ": "
        + e.getMessage());
    }
  }

  private static void exit(int status, String message) {
    System.err.println("berth: " + message);
    System.exit(status);
  }
}
