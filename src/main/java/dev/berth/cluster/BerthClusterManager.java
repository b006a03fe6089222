package dev.berth.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastNodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Vert.x's Hazelcast cluster manager, as berth runs it on a Hazelcast member it started itself ({@link GatedHazelcast}),
 * with three concerns of berth's over the registry that Vert.x keeps to itself, each in a class of its own: which nodes
 * serve each address, as the registry changes and as nodes leave ({@link RegistryDirectory}, the gateway's
 * {@link ServingNodes}); this node's own entries, put back after a split cluster merges ({@link RegistryRepair}); and, in
 * a TLS cluster, which members proved they belong ({@link Membership}): the registrations of any other member are
 * hidden from Vert.x and from the gateway, and its node info is never used to connect.
 */
public final class BerthClusterManager extends HazelcastClusterManager {

  private static final Logger log = LoggerFactory.getLogger(BerthClusterManager.class);

  /** Where Vert.x's Hazelcast cluster manager keeps each member's node info, by node id. */
  private static final String NODE_INFO_MAP = "__vertx.nodeInfo";

  /** The registry's last word on each address Vert.x or the gateway asked about, before members are judged. */
  private final Map<String, List<RegistrationInfo>> listedByAddress = new ConcurrentHashMap<>();
  private final RegistryDirectory directory;
  private final RegistryRepair repair;
  /** The cluster's TLS; null for a plain cluster. */
  private final ClusterTls tls;
  private final Membership membership;
  private volatile NodeListener haListener;
  private volatile RegistrationListener vertxSelector;
  private volatile Vertx vertx;
  private volatile Runnable onMerge = () -> { };
  private volatile Consumer<String> onRevokedItself = reason -> { };
  private volatile Runnable onMembersChanged = () -> { };
  /** This node's info as last set, read and written without vertx-hazelcast's lock (see {@link #getNodeInfo()}). */
  private volatile NodeInfo ownInfo;
  /** Held while this node's info is written, so that the last write is of the info as last set. */
  private final Object writingOwnInfo = new Object();

  /**
   * @param hazelcast this node's Hazelcast member, started and joined ({@link GatedHazelcast}), which leaves with the
   *                  node
   * @param config    what it was started with
   * @param tls       the cluster's TLS, whose members must prove they belong; null for a plain cluster
   */
  public BerthClusterManager(HazelcastInstance hazelcast, Config config, ClusterTls tls) {
    super(hazelcast);
    setConfig(config);
    super.nodeListener(new NodeEvents());
    this.tls = tls;
    this.membership = tls == null ? null : new Membership(tls, BerthClusterManager.super::getNodeInfo,
      this::getNodeId, () -> getConfig().getClusterName(), this::standingChanged, this::expelRevoked);
    this.directory = new RegistryDirectory(this::readRegistry, this::counted);
    this.repair = new RegistryRepair(new OwnEntries());
  }

  @Override
  public void init(Vertx vertx) {
    super.init(vertx);
    this.vertx = vertx;
  }

  /** The host Vert.x binds its event bus to when berth gives none: Hazelcast's own, as for a member Vert.x starts. */
  @Override
  public String clusterHost() {
    return getHazelcastInstance().getCluster().getLocalMember().getAddress().getHost();
  }

  /** berth sets the event bus's public address itself, when it has one to advertise. */
  @Override
  public String clusterPublicHost() {
    return null;
  }

  /** Vert.x leaves a Hazelcast member it was handed running: this node's leaves with it, gracefully. */
  @Override
  public void leave(Completable<Void> promise) {
    super.leave((left, failure) -> vertx.<Void>executeBlocking(() -> {
      getHazelcastInstance().getLifecycleService().shutdown();
      return null;
    }).onComplete((shutDown, shutdownFailure) -> promise.complete(null, failure != null ? failure : shutdownFailure)));
  }

  /** In a TLS cluster, also hears every change of the members' node info, so that a proof counts as soon as it comes. */
  @Override
  public void join(Completable<Void> promise) {
    super.join((joined, failure) -> {
      if (failure == null && membership != null) {
        getHazelcastInstance().getMap(NODE_INFO_MAP).addEntryListener(new NodeInfoChanges(), false);
      }
      promise.complete(joined, failure);
    });
  }

  /**
   * What runs, at each registry check, while the revocation list revokes this node's own certificate, with the reason:
   * the node's stop.
   */
  public void onRevokedItself(Consumer<String> action) {
    onRevokedItself = action;
  }

  /** What runs when this node's side of a split cluster has merged back: the registry check, at once. */
  public void onMerge(Runnable action) {
    onMerge = action;
  }

  /** What runs, on a Hazelcast thread, when a member joined or left the cluster. */
  public void onMembersChanged(Runnable action) {
    onMembersChanged = action;
  }

  @Override
  public synchronized void stateChanged(LifecycleEvent event) {
    super.stateChanged(event);
    if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
      onMerge.run();
    }
  }

  /** Which nodes serve each address: what the gateway routes by. */
  public ServingNodes servingNodes() {
    return directory;
  }

  /** The addresses whose serving nodes are kept up to date, in no order. */
  public Set<String> watched() {
    return directory.watched();
  }

  /** Whether members must prove they belong. */
  public boolean provesMembers() {
    return membership != null;
  }

  /** Whether a member counts: always in a plain cluster; in a TLS cluster, once it proved it belongs. */
  public boolean isProven(String nodeId) {
    return membership == null || membership.isProven(nodeId);
  }

  /** Why a member of a TLS cluster does not count, or empty when it does or is still being checked. */
  public Optional<String> whyNotProven(String nodeId) {
    return membership == null ? Optional.empty() : membership.whyNot(nodeId);
  }

  /** This node's node info with its proof of membership, over the addresses it serves; only in a TLS cluster. */
  public NodeInfo withProof(NodeInfo own, List<String> addresses, String hazelcast) {
    JsonObject metadata = own.metadata() == null ? new JsonObject() : own.metadata().copy();
    return new NodeInfo(own.host(), own.port(),
      metadata.put(Membership.PROOF, membership.proofFor(own, addresses, hazelcast)));
  }

  /**
   * Sets this node's info without the lock vertx-hazelcast's {@code setNodeInfo} takes on the caller's thread, often an
   * event loop: its membership handler holds that lock while it waits on Hazelcast, which in a cluster that is changing
   * can take tens of seconds (seen: an event loop blocked 58 s putting the node info back during a Swarm deploy).
   */
  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    ownInfo = nodeInfo;
    writeOwnInfo(promise);
  }

  /** This node's info as last set, without the lock vertx-hazelcast's {@code getNodeInfo()} takes (see above). */
  @Override
  public NodeInfo getNodeInfo() {
    return ownInfo;
  }

  /** Writes this node's info as last set, on a worker thread; writes that overtake each other still end with it. */
  private void writeOwnInfo(Completable<Void> promise) {
    vertx.<Void>executeBlocking(() -> {
      synchronized (writingOwnInfo) {
        getHazelcastInstance().getMap(NODE_INFO_MAP).put(getNodeId(), new HazelcastNodeInfo(ownInfo));
      }
      return null;
    }, false).onComplete(promise);
  }

  /** A member's node info as the registry holds it now, proven or not: for showing, never for connecting. */
  public void listedNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    super.getNodeInfo(nodeId, promise);
  }

  /** In a TLS cluster, a member's node info only once it proved it belongs, and as it was then. */
  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    if (membership == null || nodeId.equals(getNodeId())) {
      super.getNodeInfo(nodeId, promise);
      return;
    }
    NodeInfo proven = membership.info(nodeId);
    if (proven != null) {
      promise.succeed(proven);
      return;
    }
    // A member met for the first time, often one this node must answer: judged now, not refused until judged.
    membership.check(nodeId).onComplete(judged -> {
      NodeInfo now = membership.info(nodeId);
      if (now != null) {
        promise.succeed(now);
      } else {
        promise.fail(new VertxException("member " + nodeId + " has not proven it belongs to the cluster"
          + membership.whyNot(nodeId).map(reason -> ": " + reason).orElse(""), true));
      }
    });
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    readRegistry(address, (registrations, failure) -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.succeed(counted(address, registrations));
      }
    });
  }

  /** The registrations the registry lists for an address now, before members are judged. */
  private void readRegistry(String address, Completable<List<RegistrationInfo>> promise) {
    super.getRegistrations(address, (registrations, failure) -> {
      if (failure == null) {
        listedByAddress.put(address, registrations);
      }
      promise.complete(registrations, failure);
    });
  }

  /** The registrations that count: all in a plain cluster; those of proven members, for what they proved, in TLS. */
  private List<RegistrationInfo> counted(String address, List<RegistrationInfo> registrations) {
    return membership == null ? registrations
      : registrations.stream().filter(registration -> membership.admits(registration.nodeId(), address)).toList();
  }

  /**
   * A member has just proven it belongs, or its certificate expired: what it registered counts from now on, or no
   * longer, for Vert.x and the gateway.
   */
  private void standingChanged(String nodeId) {
    listedByAddress.forEach((address, registrations) -> {
      if (registrations.stream().anyMatch(registration -> registration.nodeId().equals(nodeId))) {
        RegistrationListener selector = vertxSelector;
        if (selector != null) {
          selector.registrationsUpdated(new RegistrationUpdateEvent(address, counted(address, registrations)));
        }
        directory.listed(address, registrations);
      }
    });
  }

  /**
   * On the master, removes a member whose certificate was revoked while it ran: suspected, Hazelcast drops it from the
   * member list and closes its connections, and every way back is refused at the handshake. Off the event loop, as
   * Hazelcast takes its cluster lock.
   */
  private void expelRevoked(String nodeId) {
    vertx.executeBlocking(() -> {
      ClusterServiceImpl cluster = ((HazelcastInstanceProxy) getHazelcastInstance()).getOriginal().node
        .getClusterService();
      Member member = cluster.getMembers().stream()
        .filter(candidate -> nodeId.equals(candidate.getAttribute(ClusterSetup.VERTX_NODE_ID))).findFirst().orElse(null);
      if (cluster.isMaster() && member != null) {
        log.warn("member {} is revoked (cluster.tls.crl): removed from cluster '{}'", member, getConfig()
          .getClusterName());
        cluster.suspectMember(member, "berth: its certificate is revoked", true);
      }
      return null;
    }, false).onFailure(failure -> log.warn("could not remove the revoked member {} from the cluster", nodeId,
      failure));
  }

  /** Vert.x's HA manager sets a node listener when HA is on; it hears every event berth hears. */
  @Override
  public void nodeListener(NodeListener listener) {
    haListener = listener;
  }

  /** Sees every update of the registry on its way to Vert.x's node selector, which gets only what counts. */
  @Override
  public void registrationListener(RegistrationListener vertxSelector) {
    this.vertxSelector = vertxSelector;
    super.registrationListener(new RegistrationListener() {
      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        listedByAddress.put(event.address(), event.registrations());
        directory.listed(event.address(), event.registrations());
        vertxSelector.registrationsUpdated(new RegistrationUpdateEvent(event.address(),
          counted(event.address(), event.registrations())));
      }

      @Override
      public void registrationsLost() {
        directory.refreshAll();
        vertxSelector.registrationsLost();
      }

      @Override
      public boolean wantsUpdatesFor(String address) {
        return directory.watches(address) || vertxSelector.wantsUpdatesFor(address);
      }
    });
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    repair.added(address, registration);
    super.addRegistration(address, registration, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    repair.removed(address, registration);
    super.removeRegistration(address, registration, promise);
  }

  /**
   * Puts back this node's consumers and node info where the registry lost them, reads the serving nodes of the
   * watched addresses again, in case an update was missed, and judges again the members not proven yet; in a TLS
   * cluster whose list now revokes this node's own certificate, runs {@link #onRevokedItself}.
   *
   * @return what was put back, an address or "node info" each; empty when nothing was missing
   */
  public Future<List<String>> repairRegistry() {
    directory.refreshAll();
    if (membership == null) {
      return repair.repair();
    }
    // The list's file is looked at, and read when it changed, on a worker thread: a slow disk holds no event loop.
    // Unordered: not behind the blocking registry calls of the same context, which a stuck partition holds for minutes.
    return vertx.executeBlocking(tls::refreshRevocations, false).compose(revocationsChanged -> {
      membership.recheck(revocationsChanged);
      tls.selfRevocation().ifPresent(onRevokedItself);
      return repair.repair();
    });
  }

  /** The registry as {@link RegistryRepair} reads and writes this node's entries in it. */
  private final class OwnEntries implements RegistryRepair.Registry {

    @Override
    public void list(String address, Completable<List<RegistrationInfo>> promise) {
      getRegistrations(address, promise);
    }

    @Override
    public void add(String address, RegistrationInfo registration, Completable<Void> promise) {
      addRegistration(address, registration, promise);
    }

    @Override
    public void readOwn(Completable<NodeInfo> promise) {
      BerthClusterManager.super.getNodeInfo(getNodeId(), promise);
    }

    @Override
    public NodeInfo own() {
      return getNodeInfo();
    }

    @Override
    public void writeOwn(Completable<Void> promise) {
      writeOwnInfo(promise);
    }
  }

  private final class NodeInfoChanges implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object> {

    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      membership.nodeInfoChanged(event.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      membership.nodeInfoChanged(event.getKey());
    }
  }

  private final class NodeEvents implements NodeListener {

    @Override
    public void nodeAdded(String nodeId) {
      onMembersChanged.run();
      directory.nodeAdded(nodeId);
      NodeListener ha = haListener;
      if (ha != null) {
        ha.nodeAdded(nodeId);
      }
    }

    @Override
    public void nodeLeft(String nodeId) {
      onMembersChanged.run();
      listedByAddress.keySet().removeIf(address -> address.endsWith("@" + nodeId));
      if (membership != null) {
        membership.forget(nodeId);
      }
      directory.nodeLeft(nodeId);
      NodeListener ha = haListener;
      if (ha != null) {
        ha.nodeLeft(nodeId);
      }
    }
  }
}
