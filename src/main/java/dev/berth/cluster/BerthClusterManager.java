package dev.berth.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Completable;
import io.vertx.core.Future;
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
 * {@link #repairRegistry()} puts them back and reads them again.
 */
public final class BerthClusterManager extends HazelcastClusterManager {

  private final Map<String, List<String>> consumersByAddress = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  /** Nodes that left; the registry can list one for a moment longer, or again after a split cluster merges. */
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final List<Consumer<String>> consumersChanged = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> nodeLeft = new CopyOnWriteArrayList<>();
  private final Map<String, Set<RegistrationInfo>> ownRegistrations = new ConcurrentHashMap<>();
  private volatile NodeListener haListener;

  public BerthClusterManager(Config config) {
    super(config);
    super.nodeListener(new NodeEvents());
  }

  /** Vert.x's HA manager sets a node listener when HA is on; it hears every event berth hears. */
  @Override
  public void nodeListener(NodeListener listener) {
    haListener = listener;
  }

  /** Sees every update of the registry on its way to Vert.x's node selector. */
  @Override
  public void registrationListener(RegistrationListener vertxSelector) {
    super.registrationListener(new RegistrationListener() {
      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        if (watched.contains(event.address())) {
          update(event.address(), event.registrations());
        }
        vertxSelector.registrationsUpdated(event);
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
    List<Future<String>> repairs = new ArrayList<>();
    ownRegistrations.forEach((address, registrations) -> repairs.add(
      Future.<List<RegistrationInfo>>future(promise -> getRegistrations(address, promise)).compose(listed -> {
        List<RegistrationInfo> missing = registrations.stream().filter(mine -> !listed.contains(mine)).toList();
        return Future.all(missing.stream().map(mine -> Future.<Void>future(
            promise -> addRegistration(address, mine, promise))).toList())
          .map(putBack -> missing.isEmpty() ? null : address);
      })));
    repairs.add(Future.<NodeInfo>future(promise -> getNodeInfo(getNodeId(), promise)).map(present -> (String) null)
      .recover(lost -> Future.<Void>future(promise -> setNodeInfo(getNodeInfo(), promise)).map("node info")));
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
    getRegistrations(address, (registrations, failure) -> {
      if (failure == null) {
        update(address, registrations);
      }
    });
  }

  private void update(String address, List<RegistrationInfo> registrations) {
    publish(address, registrations.stream().filter(registration -> !registration.localOnly())
      .map(RegistrationInfo::nodeId).distinct().sorted().toList());
  }

  private void publish(String address, List<String> nodes) {
    List<String> present = nodes.stream().filter(node -> !departed.contains(node)).toList();
    List<String> previous = consumersByAddress.put(address, present);
    if (!present.equals(previous)) {
      consumersChanged.forEach(listener -> listener.accept(address));
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
      watched.forEach(address -> publish(address, consumersOf(address)));
      nodeLeft.forEach(listener -> listener.accept(nodeId));
      NodeListener ha = haListener;
      if (ha != null) {
        ha.nodeLeft(nodeId);
      }
    }
  }
}
