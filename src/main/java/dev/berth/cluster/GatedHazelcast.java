package dev.berth.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.config.SocketInterceptorConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.DefaultNodeExtension;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.instance.impl.NodeExtension;
import com.hazelcast.internal.cluster.Joiner;
import com.hazelcast.internal.cluster.impl.JoinMessage;
import com.hazelcast.internal.cluster.impl.JoinRequest;
import com.hazelcast.internal.cluster.impl.SplitBrainJoinMessage;
import com.hazelcast.internal.cluster.impl.SplitBrainJoinMessage.SplitBrainMergeCheckResult;
import com.hazelcast.internal.cluster.impl.TcpIpJoiner;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import com.hazelcast.internal.util.AddressUtil;
import com.hazelcast.logging.LogEvent;
import com.hazelcast.nio.MemberSocketInterceptor;
import com.hazelcast.spi.properties.HazelcastProperty;
import dev.berth.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;

/**
 * Starts a Hazelcast member whose joins and connections go through berth's gate ({@link JoinGate},
 * {@link MemberHandshake}). This is berth's one use of Hazelcast's internal API: its own node context, which gives
 * the node an extension whose {@code validateJoinRequest} the master runs before it admits a member, whose socket
 * interceptor runs the handshake on every member connection, and a TCP-IP joiner that signs the join statement each
 * time a join starts (the member UUID changes when a split cluster merges), looks for members at every address of a
 * seed's name, and for the other half of a split cluster at every member it has seen or that connected to it; a member
 * alone in a gated cluster joins through a connected seed whose cluster did not answer, as its master is no seed; a
 * member whose join ended with its master cleared merges into that cluster again; a member that reaches no seed looks
 * for one for up to {@link #SEED_WAIT} before it founds a cluster of its own, and founds it at once when every seed
 * refused; a master merges into another cluster
 * only {@link #JOINS_SETTLE} after the last join it let in, and a member that a frozen cluster refused starts again.
 * {@code GatedHazelcastTest} fails when a Hazelcast upgrade changes any of it.
 */
public final class GatedHazelcast {

  /**
   * How long a member that reaches no seed or other member looks for one before it founds a cluster of its own
   * ({@code cluster.seedWaitMs}); none by default, as Hazelcast does.
   */
  public static final HazelcastProperty SEED_WAIT = new HazelcastProperty("berth.seed.wait.millis", 0,
    TimeUnit.MILLISECONDS);
  /**
   * How long a gated master waits, after the last join request its gate let through, before it merges its cluster into
   * another: a merge first freezes the cluster, and Hazelcast shuts down a member whose join request finds it frozen.
   */
  static final Duration JOINS_SETTLE = Duration.ofSeconds(10);
  /** What a refusal is prefixed with on its way to the refused node, so that berth finds it among Hazelcast's lines. */
  static final String REFUSAL = "berth refused the join: ";
  /** Where Hazelcast logs, on the refused node, the reason its master sent (BeforeJoinCheckFailureOp). */
  private static final String REFUSED_LOG = "Reason of failure for node join: ";
  /** Hazelcast's reason when the master's cluster admits no member now: frozen, as a merge leaves it for a moment. */
  static final String FROZEN = "Cluster state either is locked or doesn't allow new members to join";
  /** How many times a member that a frozen cluster refused starts again, {@link #FROZEN_PAUSE} apart. */
  static final int FROZEN_ATTEMPTS = 10;
  static final Duration FROZEN_PAUSE = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(GatedHazelcast.class);

  private GatedHazelcast() {
  }

  /**
   * Starts the member and joins its cluster; blocks until it has. As master, it removes members that went silent and
   * that Hazelcast kept listed ({@link SilentMemberSweep}).
   *
   * @param gate null for a plain cluster, which lets in anyone who reaches its port and knows its name
   * @throws JoinRefusedException when the cluster refused this node, or one of its members did not prove it belongs
   */
  public static HazelcastInstance start(Config config, JoinGate gate) throws JoinRefusedException {
    return start(config, gate, () -> true);
  }

  /**
   * As {@link #start(Config, JoinGate)}, for a member under a node that is still starting: it looks for a split
   * cluster's other half only once {@code started} says so. A merge resets the member, and one during Vert.x's start
   * on it fails that start (seen: a Swarm task alone for its first seconds, merged 4 s in, whose crash left the
   * cluster's partition table naming it for minutes). A member refused because the cluster was frozen, which Hazelcast
   * shuts down, starts again up to {@link #FROZEN_ATTEMPTS} times: a merge freezes a cluster for a moment.
   */
  public static HazelcastInstance start(Config config, JoinGate gate, BooleanSupplier started)
    throws JoinRefusedException {
    SeenMembers seen = new SeenMembers();
    config.addListenerConfig(new ListenerConfig(seen));
    if (gate != null) {
      config.getAdvancedNetworkConfig().getEndpointConfigs().get(EndpointQualifier.MEMBER)
        .setSocketInterceptorConfig(new SocketInterceptorConfig().setEnabled(true));
    }
    for (int attempt = 1; ; attempt++) {
      GatedNodeContext context = new GatedNodeContext(config.getClusterName(), gate, seen, started);
      try {
        HazelcastInstance instance = HazelcastInstanceFactory.newHazelcastInstance(config, config.getInstanceName(),
          context);
        context.joined();
        SilentMemberSweep.start(context.node);
        return instance;
      } catch (RuntimeException failed) {
        String refusal = context.refusal.get();
        if (refusal != null) {
          throw new JoinRefusedException(refusal);
        }
        if (!context.frozenOut || attempt == FROZEN_ATTEMPTS) {
          throw failed;
        }
        log.warn("the cluster's master refused this node, as its cluster was frozen (a merge freezes it for a moment):"
          + " joining again in {} ms ({} of {})", FROZEN_PAUSE.toMillis(), attempt + 1, FROZEN_ATTEMPTS);
        pause();
      }
    }
  }

  private static void pause() throws JoinRefusedException {
    try {
      Thread.sleep(FROZEN_PAUSE.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new JoinRefusedException("interrupted while it waited to join again");
    }
  }

  /**
   * Hazelcast's default node context, which also hears why a master refused the node; for a gated member, with
   * berth's extension and joiner.
   */
  private static final class GatedNodeContext extends DefaultNodeContext {

    private final String clusterName;
    private final JoinGate gate;
    private final SeenMembers seen;
    private final BooleanSupplier started;
    /** Why this node was refused while it joined; null while it was not. */
    private final AtomicReference<String> refusal = new AtomicReference<>();
    /** When this member, as master, last let a join request through its gate. */
    private final AtomicLong lastJoinRequestNanos = new AtomicLong(System.nanoTime() - JOINS_SETTLE.toNanos());
    private volatile boolean joining = true;
    /** Whether the master refused this node because its cluster was frozen. */
    private volatile boolean frozenOut;
    private volatile Node node;

    GatedNodeContext(String clusterName, JoinGate gate, SeenMembers seen, BooleanSupplier started) {
      this.clusterName = clusterName;
      this.gate = gate;
      this.seen = seen;
      this.started = started;
    }

    @Override
    public NodeExtension createNodeExtension(Node node) {
      this.node = node;
      node.getLoggingService().addLogListener(Level.SEVERE, this::refusedByMaster);
      return gate == null ? super.createNodeExtension(node)
        : new GatedNodeExtension(node, gate, this::refusedByPeer, () -> lastJoinRequestNanos.set(System.nanoTime()));
    }

    @Override
    public Joiner createJoiner(Node node) {
      Joiner joiner = super.createJoiner(node);
      if (joiner != null && joiner.getClass() == TcpIpJoiner.class) {
        return new BerthJoiner(node, gate, seen, started, lastJoinRequestNanos::get);
      }
      if (gate != null) {
        throw new IllegalStateException("berth's signed join needs Hazelcast's tcp-ip join, the one cluster.xml"
          + " enables; this config joins with " + (joiner == null ? "none" : joiner.getType()));
      }
      return joiner;
    }

    void joined() {
      joining = false;
    }

    /** The master sent why it refused this node; Hazelcast logs it, then shuts the node down. */
    private void refusedByMaster(LogEvent event) {
      String message = event.getLogRecord().getMessage();
      int at = message == null ? -1 : message.indexOf(REFUSED_LOG + REFUSAL);
      if (at >= 0) {
        refusal.compareAndSet(null, "cluster '" + clusterName + "' refused this node: "
          + message.substring(at + REFUSED_LOG.length() + REFUSAL.length()));
      } else if (message != null && message.contains(REFUSED_LOG + FROZEN)) {
        frozenOut = true;
      }
    }

    /** A member refused this node's connection, or did not prove it belongs: while joining, that ends the join. */
    private void refusedByPeer(String why) {
      Node joiningNode = node;
      if (joining && joiningNode != null && refusal.compareAndSet(null, why)) {
        Thread stop = new Thread(() -> joiningNode.hazelcastInstance.getLifecycleService().terminate(),
          "berth-refused-join");
        stop.setDaemon(true);
        stop.start();
      }
    }
  }

  /** Hazelcast's default extension, with berth's check of a joining member and its handshake. */
  private static final class GatedNodeExtension extends DefaultNodeExtension {

    private final JoinGate gate;
    private final MemberHandshake handshake;
    private final Runnable joinRequestAdmitted;

    GatedNodeExtension(Node node, JoinGate gate, Consumer<String> refusedByPeer, Runnable joinRequestAdmitted) {
      super(node);
      this.gate = gate;
      this.handshake = new MemberHandshake(gate, refusedByPeer);
      this.joinRequestAdmitted = joinRequestAdmitted;
    }

    /** Run by the master on each join request, after Hazelcast's own checks; a refusal goes back to the joiner. */
    @Override
    public void validateJoinRequest(JoinMessage message) {
      super.validateJoinRequest(message);
      if (message instanceof JoinRequest request) {
        String address = HostPort.format(request.getAddress().getHost(), request.getAddress().getPort());
        Optional<String> refused = gate.refusal(request.getUuid(), address, request.getAttributes());
        if (refused.isPresent()) {
          gate.refusals().refused(Refusals.Kind.JOIN, address, "refused the join of member " + request.getUuid() + " at "
            + address + ": " + refused.get());
          throw new IllegalStateException(REFUSAL + refused.get());
        }
        joinRequestAdmitted.run();
      }
    }

    @Override
    public MemberSocketInterceptor getSocketInterceptor(EndpointQualifier endpoint) {
      return handshake;
    }
  }

  /**
   * Hazelcast's TCP-IP joiner, which also, in a gated cluster, states this member's UUID and address anew, signed, each
   * time a join starts; and which looks for members, to join or to merge a split cluster's other half with, at every
   * address each seed's name resolves to at that moment (Hazelcast takes one per name: a DNS name that stands for a
   * service's every node, such as Swarm's {@code tasks.<service>} or a Kubernetes headless service, needs them all) and
   * at every member it has seen or that connected to it (Hazelcast's own joiner does the like only when its class is
   * exactly TcpIpJoiner: without it, a half whose master is not a seed, a node on a randomly published port, is never
   * found and never merged).
   */
  static final class BerthJoiner extends TcpIpJoiner {

    /** How long a join attempt waits for its seeds' names to resolve. */
    static final long LOOKUP_BOUND_MS = 2_000;
    /** How often a member alone joins through a connected seed whose cluster did not answer its merge search. */
    static final Duration LONE_JOIN_EVERY = Duration.ofSeconds(30);
    /** How many times a join that ended with no master known is made again. */
    static final int MASTERLESS_REJOINS = 3;
    /** How often a member waiting for a seed ({@link #SEED_WAIT}) looks again: a seed that is up costs it no more. */
    static final long SEED_LOOK_EVERY_MS = 100;
    /** How long a first join waits for its seeds to connect or refuse: Hazelcast's own wait after asking them. */
    static final long SEED_ANSWER_BOUND_MS = 1_000;
    /** How often a first join looks whether its seeds have connected or refused. */
    static final long SEED_ANSWER_LOOK_EVERY_MS = 10;
    /** What a member logs when it founds a cluster because every seed refused its connection. */
    static final String ALL_SEEDS_REFUSED = "every seed refused the connection: founding a cluster at once";
    private static final ExecutorService LOOKUPS = Executors.newCachedThreadPool(lookup -> {
      Thread thread = new Thread(lookup, "berth-seed-lookup");
      thread.setDaemon(true);
      return thread;
    });

    private final JoinGate gate;
    private final SeenMembers seen;
    private final BooleanSupplier started;
    private final LongSupplier lastJoinRequestNanos;
    private final int defaultPort;
    /** Whether a merge of {@link #rejoinWhileMasterless} runs, whose join, on this thread, leaves the check to it. */
    private boolean rejoining;
    /** When this member last joined through a seed while alone. */
    private long lastLoneJoinNanos = System.nanoTime() - LONE_JOIN_EVERY.toNanos();
    /** Whether the node's first join, the one that may found a cluster, has begun; every later one is a merge. */
    private boolean firstJoinBegun;

    /**
     * @param gate                 null for a plain cluster, whose joins are not signed
     * @param started              whether the node has started, before which no split is looked for
     * @param lastJoinRequestNanos when this member last admitted a join request, until {@link #JOINS_SETTLE} after
     *                             which it merges into no other cluster
     */
    BerthJoiner(Node node, JoinGate gate, SeenMembers seen, BooleanSupplier started, LongSupplier lastJoinRequestNanos) {
      super(node);
      this.gate = gate;
      this.seen = seen;
      this.started = started;
      this.lastJoinRequestNanos = lastJoinRequestNanos;
      this.defaultPort = ((ServerSocketEndpointConfig) node.getConfig().getAdvancedNetworkConfig().getEndpointConfigs()
        .get(EndpointQualifier.MEMBER)).getPort();
    }

    /**
     * The seeds, each name replaced by every address it resolves to now, within {@link #LOOKUP_BOUND_MS} in all: a
     * name nothing answers for yet (a Swarm service whose tasks are not up) must not stall the join.
     */
    @Override
    protected Collection<String> getMembers() {
      List<String> members = new ArrayList<>();
      Map<AddressUtil.AddressHolder, Future<InetAddress[]>> lookups = new LinkedHashMap<>();
      for (String seed : super.getMembers()) {
        AddressUtil.AddressHolder holder = AddressUtil.getAddressHolder(seed, defaultPort);
        if (AddressUtil.isIpAddress(holder.getAddress())) {
          members.add(seed);
        } else {
          lookups.put(holder, LOOKUPS.submit(() -> InetAddress.getAllByName(holder.getAddress())));
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOKUP_BOUND_MS);
      lookups.forEach((holder, lookup) -> {
        try {
          for (InetAddress address : lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            members.add(HostPort.format(address.getHostAddress(), holder.getPort()));
          }
        } catch (ExecutionException | TimeoutException notNow) {
          // Not resolvable now: looked up again at the next attempt.
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      });
      return members;
    }

    /**
     * The seeds, every member seen, and every member connected to this one from outside its cluster: the master of a
     * split's other half that asked this one to merge. When that half is the bigger one, this half must merge into it,
     * yet its master may be no seed; Hazelcast would learn it from a seed's answer only when its joiner's class is
     * exactly TcpIpJoiner.
     */
    @Override
    protected Collection<Address> getPossibleAddresses() {
      Collection<Address> possible = super.getPossibleAddresses();
      possible.addAll(seen.addresses());
      node.getServer().getConnectionManager(EndpointQualifier.MEMBER).getConnections().stream()
        .map(ServerConnection::getRemoteAddress).filter(Objects::nonNull).forEach(possible::add);
      possible.remove(node.getThisAddress());
      return possible;
    }

    /**
     * Hazelcast's merge search, every 5 s, once the node has started (see {@link GatedHazelcast#start}) and no member
     * has asked to join this one for {@link #JOINS_SETTLE} (a merge would freeze the cluster under it): each member
     * it may reach is asked whether one of the two clusters should merge into the other, and only a master answers.
     * A member alone whose seeds answered nothing, although one of them is connected, is cut off from a cluster whose
     * master is no seed and has never heard of it (tasks started at once, one of them late to a busy seed): in a gated
     * cluster, where a connection proves that the seed belongs to this cluster, it joins that cluster through the
     * seed, which tells a joining member where its master is, at most every {@link #LONE_JOIN_EVERY}.
     */
    @Override
    public void searchForOtherClusters() {
      if (!started.getAsBoolean() || System.nanoTime() - lastJoinRequestNanos.getAsLong() < JOINS_SETTLE.toNanos()) {
        return;
      }
      SplitBrainJoinMessage request = node.createSplitBrainJoinMessage();
      Set<Address> seeds = gate != null && clusterService.getSize() == 1 ? seeds() : Set.of();
      Address connectedSeed = null;
      boolean otherMerges = false;
      for (Address address : getFilteredPossibleAddresses()) {
        SplitBrainMergeCheckResult result = sendSplitBrainJoinMessageAndCheckResponse(address, request);
        if (result == SplitBrainMergeCheckResult.LOCAL_NODE_SHOULD_MERGE) {
          merge(address, request, "its master answered that this cluster is the one to merge");
          return;
        }
        otherMerges |= result == SplitBrainMergeCheckResult.REMOTE_NODE_SHOULD_MERGE;
        if (connectedSeed == null && seeds.contains(address) && connected(address)) {
          connectedSeed = address;
        }
      }
      long now = System.nanoTime();
      if (!otherMerges && connectedSeed != null && now - lastLoneJoinNanos >= LONE_JOIN_EVERY.toNanos()) {
        lastLoneJoinNanos = now;
        merge(connectedSeed, request, "this member is alone and the seed, connected, is a member of another cluster"
          + " whose master is no seed");
      }
    }

    private void merge(Address target, SplitBrainJoinMessage request, String why) {
      logger.warning("merging into the cluster of " + target + ": " + why);
      setTargetAddress(target);
      startClusterMerge(target, request.getMemberListVersion());
    }

    /** The seeds as Hazelcast addresses, each name as every address it resolves to now. */
    private Set<Address> seeds() {
      Set<Address> seeds = new HashSet<>();
      for (String seed : getMembers()) {
        AddressUtil.AddressHolder holder = AddressUtil.getAddressHolder(seed, defaultPort);
        try {
          seeds.add(new Address(holder.getAddress(), holder.getPort()));
        } catch (UnknownHostException unresolved) {
          // Not a seed this search can reach.
        }
      }
      return seeds;
    }

    private boolean connected(Address address) {
      ServerConnection connection = node.getServer().getConnectionManager(EndpointQualifier.MEMBER).get(address);
      return connection != null && connection.isAlive();
    }

    @Override
    public void doJoin() {
      if (!firstJoinBegun) {
        firstJoinBegun = true;
        awaitSeed();
        awaitSeedAnswers();
      }
      signedJoin();
      rejoinWhileMasterless();
    }

    /**
     * Waits, at most {@link #SEED_WAIT}, until a seed or another member is connected. Without it, a member that reaches
     * no one founds a cluster at once: tasks of a Swarm stack started together, whose {@code tasks.<service>} names list
     * a task only once it is healthy, would start as a cluster each, merged into one only later, a member at a time.
     */
    private void awaitSeed() {
      long waitMs = node.getProperties().getMillis(SEED_WAIT);
      long start = System.nanoTime();
      ServerConnectionManager connections = node.getServer().getConnectionManager(EndpointQualifier.MEMBER);
      while (waitMs > 0 && node.isRunning()) {
        for (Address seed : getPossibleAddresses()) {
          if (isThisMember(seed)) {
            continue;
          }
          if (connected(seed)) {
            logger.info("reached " + seed + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
              + " ms: joining its cluster");
            return;
          }
          connections.getOrConnect(seed);
        }
        long leftMs = waitMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (leftMs <= 0) {
          logger.warning("reached no seed within " + waitMs + " ms (cluster.seedWaitMs): this member founds a cluster"
            + " of its own, which merges with the others it finds later");
          return;
        }
        if (!pause(Math.min(SEED_LOOK_EVERY_MS, leftMs))) {
          return;
        }
      }
    }

    /**
     * Waits, at most {@link #SEED_ANSWER_BOUND_MS}, until a seed is connected or every seed has refused the connection.
     * Hazelcast's joiner asks its seeds, then waits a fixed second for an answer even when all of them refused within
     * milliseconds; a refused seed is out of that join, so a cluster's first member would found it a second late.
     * Once every seed has refused, the joiner founds the cluster without that wait.
     */
    private void awaitSeedAnswers() {
      Collection<Address> seeds = getPossibleAddresses();
      if (seeds.isEmpty()) {
        return;
      }
      ServerConnectionManager connections = node.getServer().getConnectionManager(EndpointQualifier.MEMBER);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEED_ANSWER_BOUND_MS);
      while (node.isRunning() && System.nanoTime() < deadline) {
        boolean allRefused = true;
        for (Address seed : seeds) {
          if (isThisMember(seed)) {
            continue;
          }
          if (connected(seed)) {
            return;
          }
          if (!isBlacklisted(seed)) {
            allRefused = false;
            connections.getOrConnect(seed);
          }
        }
        if (allRefused) {
          logger.info(ALL_SEEDS_REFUSED + " " + seeds.stream().filter(seed -> !isThisMember(seed)).toList());
          return;
        }
        if (!pause(SEED_ANSWER_LOOK_EVERY_MS)) {
          return;
        }
      }
    }

    /** Sleeps between two looks at the seeds; false when the join's thread was interrupted, which ends the wait. */
    private static boolean pause(long millis) {
      try {
        Thread.sleep(millis);
        return true;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /**
     * Whether the address turned out to be this member's own, once connected: a seed that is this member's host's
     * published port reaches this member through Docker's proxy. Hazelcast refuses to connect to it again.
     */
    private boolean isThisMember(Address address) {
      return node.getThisUuid().equals(node.getLocalAddressRegistry().uuidOf(address));
    }

    /**
     * Merges into the cluster it joined, as a new member, while its join ended joined with no master known: Hazelcast's
     * joiner clears the master it asked once an attempt ends unjoined, and when the master's answer came in between
     * (the master let it in as the attempt ended), clears it anyway, after a warning ("Cannot set master address to
     * null because node is already joined!"). A member with no master ignores what its master sends and asks for its
     * own removal within milliseconds; alone, it makes itself master of a cluster of one, merged back only later. The
     * master it joined is the first of the member list it was sent; the same member, once removed, is not let in again.
     */
    void rejoinWhileMasterless() {
      if (rejoining) {
        return;
      }
      rejoining = true;
      try {
        for (int rejoin = 1; rejoin <= MASTERLESS_REJOINS && clusterService.isJoined()
          && clusterService.getMasterAddress() == null; rejoin++) {
          Address master = clusterService.getMemberImpls().iterator().next().getAddress();
          logger.warning("joined " + master + ", whose master address Hazelcast's joiner then cleared: merging into"
            + " its cluster again as a new member (" + rejoin + " of " + MASTERLESS_REJOINS + ")");
          clusterService.merge(master);
        }
      } finally {
        rejoining = false;
      }
    }

    private void signedJoin() {
      if (gate != null) {
        UUID member = node.getThisUuid();
        String address = HostPort.format(node.getThisAddress().getHost(), node.getThisAddress().getPort());
        for (Map.Entry<String, String> attribute : gate.attributesFor(member, address).entrySet()) {
          node.getLocalMember().setAttribute(attribute.getKey(), attribute.getValue());
        }
      }
      super.doJoin();
    }
  }

  /** The addresses of the members this node has seen: those in its cluster, and those that left in the last hours. */
  static final class SeenMembers implements InitialMembershipListener {

    /** As long as Hazelcast's own joiner remembers a member that left. */
    static final Duration RETENTION = Duration.ofHours(4);

    /** When each member left, or {@link Long#MAX_VALUE} while it is in the cluster. */
    private final Map<Address, Long> leftAt = new ConcurrentHashMap<>();

    @Override
    public void init(InitialMembershipEvent event) {
      event.getMembers().forEach(this::present);
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      present(event.getMember());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      if (!event.getMember().localMember()) {
        leftAt.put(event.getMember().getAddress(), System.currentTimeMillis());
      }
    }

    Set<Address> addresses() {
      long forgotten = System.currentTimeMillis() - RETENTION.toMillis();
      leftAt.values().removeIf(left -> left < forgotten);
      return leftAt.keySet();
    }

    private void present(Member member) {
      if (!member.localMember()) {
        leftAt.put(member.getAddress(), Long.MAX_VALUE);
      }
    }
  }
}
