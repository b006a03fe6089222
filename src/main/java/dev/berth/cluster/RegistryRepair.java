package dev.berth.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps this node's own entries in the cluster's registry. After a split cluster merges, the registry can lack some of
 * them, or a gateway can miss their return (both seen here: a worker every gateway had forgotten); a repair puts back
 * what is missing, and this node's node info where another member overwrote it.
 */
final class RegistryRepair {

  /** The registry, as this node's cluster manager reads and writes it. */
  interface Registry {
    void list(String address, Completable<List<RegistrationInfo>> promise);

    void add(String address, RegistrationInfo registration, Completable<Void> promise);

    /** This node's node info as the registry holds it now. */
    void readOwn(Completable<NodeInfo> promise);

    /** This node's node info as it should be. */
    NodeInfo own();

    /** Writes this node's node info as it is when written, which may be newer than what {@link #own()} gave. */
    void writeOwn(Completable<Void> promise);
  }

  private final Registry registry;
  private final Map<String, Set<RegistrationInfo>> own = new ConcurrentHashMap<>();

  RegistryRepair(Registry registry) {
    this.registry = registry;
  }

  /** This node registered a consumer that other nodes should see. */
  void added(String address, RegistrationInfo registration) {
    if (!registration.localOnly()) {
      own.computeIfAbsent(address, any -> ConcurrentHashMap.newKeySet()).add(registration);
    }
  }

  void removed(String address, RegistrationInfo registration) {
    own.computeIfPresent(address, (any, registrations) -> {
      registrations.remove(registration);
      return registrations.isEmpty() ? null : registrations;
    });
  }

  /** @return what was put back, an address or "node info" each; empty when nothing was missing */
  Future<List<String>> repair() {
    List<Future<String>> repairs = new ArrayList<>();
    own.forEach((address, registrations) -> repairs.add(
      Future.<List<RegistrationInfo>>future(promise -> registry.list(address, promise)).compose(listed -> {
        List<RegistrationInfo> missing = registrations.stream().filter(mine -> !listed.contains(mine)).toList();
        return Future.all(missing.stream().map(mine -> Future.<Void>future(
            promise -> registry.add(address, mine, promise))).toList())
          .map(putBack -> missing.isEmpty() ? null : address);
      })));
    NodeInfo own = registry.own();
    repairs.add(Future.<NodeInfo>future(registry::readOwn)
      .map(listed -> own.equals(listed) ? (String) null : "node info, overwritten")
      .recover(lost -> Future.succeededFuture("node info"))
      .compose(repair -> repair == null ? Future.succeededFuture((String) null)
        : Future.<Void>future(registry::writeOwn).map(repair)));
    return Future.all(repairs).map(all -> repairs.stream().map(Future::result).filter(Objects::nonNull).toList());
  }
}
