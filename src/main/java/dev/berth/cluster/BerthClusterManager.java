package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Vert.x's Hazelcast cluster manager, which also tells berth what Vert.x keeps to itself: which nodes consume an
 * address, as the registry of consumers changes, and which nodes leave the cluster, as Hazelcast notices. The gateway
 * routes by these itself, so that it can send a request to one chosen node and move it elsewhere when that node goes.
 * It also keeps this node's own entries in the registry: after a split cluster merges, the registry can lack some of
 * them, or a gateway can miss their return (both seen here: a worker every gateway had forgotten), and
 * {@link #repairRegistry()} puts them back and reads them again. In a TLS cluster, only members that proved they
 * belong ({@link Membership}) count: the registrations of any other member are hidden from Vert.x and from the gateway,
 * and its node info is never used to connect.
 */
public final class BerthClusterManager extends HazelcastClusterManager {

  /** Where Vert.x's Hazelcast cluster manager keeps each member's node info, by node id. */
  private static final String NODE_INFO_MAP = "__vertx.nodeInfo";

  private final Map<String, List<String>> consumersByAddress = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  /** Nodes that left; the registry can list one for a moment longer, or again after a split cluster merges. */
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final List<Consumer<String>> consumersChanged = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> nodeLeft = new CopyOnWriteArrayList<>();
  private final Map<String, Set<RegistrationInfo>> ownRegistrations = new ConcurrentHashMap<>();
  /** The registry's last word on each address Vert.x or the gateway asked about, before members are judged. */
  private final Map<String, List<RegistrationInfo>> listedByAddress = new ConcurrentHashMap<>();
  private final Membership membership;
  private volatile NodeListener haListener;
  private volatile RegistrationListener vertxSelector;

  private volatile Vertx vertx;

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
    this.membership = tls == null ? null : new Membership(tls, BerthClusterManager.super::getNodeInfo,
      this::getNodeId, () -> getConfig().getClusterName(), this::standingChanged);
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
    super.getRegistrations(address, (registrations, failure) -> {
      if (failure != null) {
        promise.fail(failure);
        return;
      }
      listedByAddress.put(address, registrations);
      promise.succeed(counted(address, registrations));
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
        if (watched.contains(address)) {
          update(address, registrations);
        }
      }
    });
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
        if (watched.contains(event.address())) {
          update(event.address(), event.registrations());
        }
        vertxSelector.registrationsUpdated(new RegistrationUpdateEvent(event.address(),
          counted(event.address(), event.registrations())));
      }

      @Override
      public void registrationsLost() {
        watched.forEach(BerthClusterManager.this::refresh);
        vertxSelector.registrationsLost();
      }

      @Override
      public boolean wantsUpdatesFor(String address) {
        return watched.contains(address) || vertxSelector.wantsUpdatesFor(address);
      }
    });
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    if (!registration.localOnly()) {
      ownRegistrations.computeIfAbsent(address, any -> ConcurrentHashMap.newKeySet()).add(registration);
    }
    super.addRegistration(address, registration, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    ownRegistrations.computeIfPresent(address, (any, registrations) -> {
      registrations.remove(registration);
      return registrations.isEmpty() ? null : registrations;
    });
    super.removeRegistration(address, registration, promise);
  }

  /**
   * Puts back this node's consumers and node info where the registry lost them, and reads the consumers of the
   * watched addresses again, in case an update was missed (a read fails while a split cluster merges).
   *
   * @return what was put back, an address or "node info" each; empty when nothing was missing
   */
  public Future<List<String>> repairRegistry() {
    watched.forEach(this::refresh);
    if (membership != null) {
      membership.recheck();
    }
    List<Future<String>> repairs = new ArrayList<>();
    ownRegistrations.forEach((address, registrations) -> repairs.add(
      Future.<List<RegistrationInfo>>future(promise -> getRegistrations(address, promise)).compose(listed -> {
        List<RegistrationInfo> missing = registrations.stream().filter(mine -> !listed.contains(mine)).toList();
        return Future.all(missing.stream().map(mine -> Future.<Void>future(
            promise -> addRegistration(address, mine, promise))).toList())
          .map(putBack -> missing.isEmpty() ? null : address);
      })));
    NodeInfo own = getNodeInfo();
    repairs.add(Future.<NodeInfo>future(promise -> super.getNodeInfo(getNodeId(), promise))
      .map(listed -> own.equals(listed) ? (String) null : "node info, overwritten")
      .recover(lost -> Future.succeededFuture("node info"))
      .compose(repair -> repair == null ? Future.succeededFuture((String) null)
        : Future.<Void>future(promise -> setNodeInfo(own, promise)).map(repair)));
    return Future.all(repairs).map(all -> repairs.stream().map(Future::result).filter(Objects::nonNull).toList());
  }

  /**
   * Keeps {@link #consumersOf} of {@code address} up to date from now on, starting from a read of the registry.
   * Watching an address that is already watched does nothing.
   */
  public void watch(String address) {
    if (watched.add(address)) {
      refresh(address);
    }
  }

  /** The nodes that consume a watched address, each once, in a stable order; empty while none does. */
  public List<String> consumersOf(String address) {
    return consumersByAddress.getOrDefault(address, List.of());
  }

  /** The addresses whose consumers are kept up to date, in no order. */
  public Set<String> watched() {
    return Collections.unmodifiableSet(watched);
  }

  /** Called, on a Hazelcast thread, with the address whose consumers changed. */
  public void onConsumersChanged(Consumer<String> listener) {
    consumersChanged.add(listener);
  }

  /** Called, on a Hazelcast thread, with the id of a node that left the cluster or was found dead. */
  public void onNodeLeft(Consumer<String> listener) {
    nodeLeft.add(listener);
  }

  private void refresh(String address) {
    super.getRegistrations(address, (registrations, failure) -> {
      if (failure == null) {
        listedByAddress.put(address, registrations);
        update(address, registrations);
      }
    });
  }

  private void update(String address, List<RegistrationInfo> registrations) {
    publish(address, counted(address, registrations).stream().filter(registration -> !registration.localOnly())
      .map(RegistrationInfo::nodeId).distinct().sorted().toList());
  }

  private void publish(String address, List<String> nodes) {
    List<String> present = nodes.stream().filter(node -> !departed.contains(node)).toList();
    List<String> previous = consumersByAddress.put(address, present);
    if (!present.equals(previous)) {
      consumersChanged.forEach(listener -> listener.accept(address));
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
      if (departed.remove(nodeId)) {
        watched.forEach(BerthClusterManager.this::refresh);
      }
      NodeListener ha = haListener;
      if (ha != null) {
        ha.nodeAdded(nodeId);
      }
    }

    @Override
    public void nodeLeft(String nodeId) {
      departed.add(nodeId);
      listedByAddress.keySet().removeIf(address -> address.endsWith("@" + nodeId));
      if (membership != null) {
        membership.forget(nodeId);
      }
      watched.forEach(address -> publish(address, consumersOf(address)));
      nodeLeft.forEach(listener -> listener.accept(nodeId));
      NodeListener ha = haListener;
      if (ha != null) {
        ha.nodeLeft(nodeId);
      }
    }
  }
}
