package dev.berth.gateway;

import dev.berth.cluster.ServingNodes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A fake of the cluster's registry, for unit tests of what the gateway decides: the test says which nodes serve which
 * address, in which order, and which node leaves.
 */
final class FakeServingNodes implements ServingNodes {

  private final Map<String, List<String>> nodesByAddress = new ConcurrentHashMap<>();
  private final List<String> watched = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> leaveListeners = new CopyOnWriteArrayList<>();

  /** From now on, {@code nodes} serve {@code address}, in that order. */
  void serve(String address, String... nodes) {
    nodesByAddress.put(address, List.of(nodes));
    changeListeners.forEach(listener -> listener.accept(address));
  }

  /** {@code node} leaves the cluster: it serves nothing any more. */
  void leave(String node) {
    nodesByAddress.replaceAll((address, nodes) -> nodes.stream().filter(other -> !other.equals(node)).toList());
    leaveListeners.forEach(listener -> listener.accept(node));
    nodesByAddress.keySet().forEach(address -> changeListeners.forEach(listener -> listener.accept(address)));
  }

  List<String> watched() {
    return watched;
  }

  @Override
  public void watch(String address) {
    watched.add(address);
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
}
