package dev.berth.cluster;

import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * {@link ServingNodes} from Vert.x's registry of consumers in Hazelcast: the cluster manager hands it every update it
 * sees, and it reads the registry again when an update may have been missed (a member came back, a read failed while a
 * split cluster merged). A node that left is not listed, even while the registry still does.
 * <p>
 * Two things keep a listing from going back in time: a read only counts if no newer listing was taken while it ran,
 * and an update that empties a listed address is read again first, because vertx-hazelcast reports a read that failed
 * (while partitions migrate) as an empty list.
 */
final class RegistryDirectory implements ServingNodes {

  private final BiConsumer<String, Completable<List<RegistrationInfo>>> registry;
  private final BiFunction<String, List<RegistrationInfo>, List<RegistrationInfo>> counted;
  private final Map<String, List<String>> nodesByAddress = new ConcurrentHashMap<>();
  /** How many listings were taken per address: a read begun before the latest one must not replace it. */
  private final Map<String, Long> listings = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  /** Nodes that left; the registry can list one for a moment longer, or again after a split cluster merges. */
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> leaveListeners = new CopyOnWriteArrayList<>();

  /**
   * @param registry reads an address's registrations as the registry holds them
   * @param counted  the registrations that count, of those listed for an address
   */
  RegistryDirectory(BiConsumer<String, Completable<List<RegistrationInfo>>> registry,
                    BiFunction<String, List<RegistrationInfo>, List<RegistrationInfo>> counted) {
    this.registry = registry;
    this.counted = counted;
  }

  @Override
  public void watch(String address) {
    if (watched.add(address)) {
      refresh(address);
    }
  }

  @Override
  public List<String> of(String address) {
    return nodesByAddress.getOrDefault(address, List.of());
  }

  @Override
  public void onChange(Consumer<String> listener) {
    changeListeners.add(listener);
  }

  @Override
  public void onNodeLeft(Consumer<String> listener) {
    leaveListeners.add(listener);
  }

  /** The addresses watched, in no order. */
  Set<String> watched() {
    return Collections.unmodifiableSet(watched);
  }

  boolean watches(String address) {
    return watched.contains(address);
  }

  /**
   * The registry listed {@code registrations} for {@code address}; ignored for an address not watched. An empty list
   * for an address that has nodes is read again, and counts only if that read succeeds.
   */
  synchronized void listed(String address, List<RegistrationInfo> registrations) {
    if (watched.contains(address)) {
      List<String> nodes = servingNodes(address, registrations);
      if (nodes.isEmpty() && !of(address).isEmpty()) {
        refresh(address);
      } else {
        take(address, nodes);
      }
    }
  }

  /** Reads every watched address again. */
  void refreshAll() {
    watched.forEach(this::refresh);
  }

  void nodeAdded(String nodeId) {
    if (departed.remove(nodeId)) {
      refreshAll();
    }
  }

  synchronized void nodeLeft(String nodeId) {
    departed.add(nodeId);
    watched.forEach(address -> publish(address, of(address)));
    leaveListeners.forEach(listener -> listener.accept(nodeId));
  }

  private void refresh(String address) {
    long begunAfter = listings.getOrDefault(address, 0L);
    registry.accept(address, (registrations, failure) -> {
      if (failure == null) {
        takeUnlessNewer(address, begunAfter, registrations);
      }
    });
  }

  private synchronized void takeUnlessNewer(String address, long begunAfter, List<RegistrationInfo> registrations) {
    if (listings.getOrDefault(address, 0L) == begunAfter) {
      take(address, servingNodes(address, registrations));
    }
  }

  private List<String> servingNodes(String address, List<RegistrationInfo> registrations) {
    return counted.apply(address, registrations).stream().filter(registration -> !registration.localOnly())
      .map(RegistrationInfo::nodeId).distinct().sorted().toList();
  }

  private void take(String address, List<String> nodes) {
    listings.merge(address, 1L, Long::sum);
    publish(address, nodes);
  }

  private void publish(String address, List<String> nodes) {
    List<String> present = nodes.stream().filter(node -> !departed.contains(node)).toList();
    List<String> previous = nodesByAddress.put(address, present);
    if (!present.equals(previous)) {
      changeListeners.forEach(listener -> listener.accept(address));
    }
  }
}
