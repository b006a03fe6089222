package dev.berth.gateway;

import dev.berth.cluster.ServingNodes;
import dev.berth.protocol.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The worker nodes a gateway node may send each address's requests to, shared by its gateway instances: the nodes the
 * registry lists as consumers, less those draining, and, while others are left, less those this node has not greeted
 * yet ({@link Addresses#HELLO}: a new node's first request would otherwise wait for the connections both ways, a second
 * or more on a busy host) and those suspected of being stuck because a request to them outlived its attempt deadline;
 * and what was learned of each node's consumer of an address, until the node leaves. On a Vert.x that is not
 * clustered, the local bus is the one replica.
 */
public final class Replicas {

  /** How long a node that let an attempt expire is passed over, unless it answers meanwhile. */
  static final long SUSPECT_MS = 5_000;
  /** How long a new node is passed over at most while it has not answered this node's hello. */
  static final long HELLO_MS = 5_000;
  private static final String LOCAL_BUS = "local";

  private final Vertx vertx;
  private final ServingNodes cluster;
  private final Map<String, AtomicInteger> nextByAddress = new ConcurrentHashMap<>();
  private final Set<String> draining = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> suspectUntil = new ConcurrentHashMap<>();
  /** Nodes asked {@link Addresses#HELLO} that have not answered yet; every other node listed was greeted. */
  private final Set<String> greeting = ConcurrentHashMap.newKeySet();
  private final Set<String> greeted = ConcurrentHashMap.newKeySet();
  /**
   * A gateway instance's context, that greetings are sent from: Vert.x binds the connection to a node to the event loop
   * of the first message sent there, and a connection on another loop than the gateway's costs every request a hand-over
   * (measured: 1.4× the CPU per request of a three-JVM cluster).
   */
  private final AtomicReference<Context> greeter = new AtomicReference<>();
  private final Set<String> routed;
  /** By address, then node: the consumers gateways sent to. */
  private final Map<String, Map<String, NodeConsumer>> consumers = new ConcurrentHashMap<>();
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final List<NodeLossListener> nodeLossListeners = new CopyOnWriteArrayList<>();
  private MessageConsumer<String> drainNotices;

  private record Waiter(String address, Collection<String> tried, Context context, Promise<String> found) {
  }

  private record NodeLossListener(Context context, Consumer<String> listener) {
  }

  /** One node's consumer of an address, as the gateways found it; its per-node address made once. */
  private static final class NodeConsumer {
    final String onNode;
    /** It has no per-node address: a plain Vert.x consumer, reached by Vert.x's own choice of node. */
    volatile boolean plain;
    /** It answered that it takes berth's envelope. */
    volatile boolean takesEnvelope;

    NodeConsumer(String onNode) {
      this.onNode = onNode;
    }

    /** Says whether that was news. */
    synchronized boolean foundPlain() {
      boolean news = !plain;
      plain = true;
      return news;
    }
  }

  private Replicas(Vertx vertx, ServingNodes cluster, Set<String> routed) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.routed = Set.copyOf(routed);
  }

  /** The replicas of a clustered node: watches the routed addresses and hears which nodes drain or leave. */
  public static Replicas inCluster(Vertx vertx, ServingNodes cluster, Set<String> addresses) {
    Replicas replicas = new Replicas(vertx, cluster, addresses);
    addresses.forEach(cluster::watch);
    cluster.onChange(replicas::greetNewNodes);
    cluster.onChange(replicas::wakeWaiters);
    cluster.onNodeLeft(replicas::nodeLeft);
    replicas.drainNotices = vertx.eventBus().consumer(Addresses.DRAINING,
      message -> replicas.nodeDraining(message.body()));
    return replicas;
  }

  /**
   * Once this node's gateways have drained, nothing is left to route: unregistered then, a notice arriving while Vert.x
   * undeploys is not logged as discarded. This node stops hearing at once; the registry forgets it as it can.
   */
  public void stopHearingDrains() {
    if (drainNotices != null) {
      drainNotices.unregister();
    }
  }

  /** One replica, the local bus: for a gateway on a Vert.x that is not clustered. */
  public static Replicas onLocalBus(Vertx vertx) {
    return new Replicas(vertx, null, Set.of());
  }

  /**
   * The next node for {@code address} in turn, never one of {@code tried} or a draining one; one not greeted yet only
   * when no other is left, and a suspected one only when no other is left at all; null when there is none.
   */
  String pick(String address, Collection<String> tried) {
    List<String> nodes = cluster == null ? List.of(LOCAL_BUS) : cluster.of(address);
    int size = nodes.size();
    if (size == 0) {
      return null;
    }
    int start = Math.floorMod(nextByAddress.computeIfAbsent(address, any -> new AtomicInteger()).getAndIncrement(), size);
    String ungreeted = null;
    String suspected = null;
    long now = System.nanoTime();
    for (int i = 0; i < size; i++) {
      String node = nodes.get((start + i) % size);
      if (tried.contains(node) || draining.contains(node)) {
        continue;
      }
      Long until = suspectUntil.get(node);
      if (until != null && until - now >= 0) {
        suspected = suspected == null ? node : suspected;
      } else if (greeting.contains(node)) {
        ungreeted = ungreeted == null ? node : ungreeted;
      } else {
        return node;
      }
    }
    return ungreeted != null ? ungreeted : suspected;
  }

  /** Whether some node that is not draining consumes {@code address}; on the local bus, always. */
  boolean serves(String address) {
    if (cluster == null) {
      return true;
    }
    for (String node : cluster.of(address)) {
      if (!draining.contains(node)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A node as {@link #pick} would give it, as soon as there is one, or null after {@code timeoutMs}; completes on the
   * caller's context.
   */
  Future<String> awaitPick(String address, Collection<String> tried, long timeoutMs) {
    String now = pick(address, tried);
    if (now != null || cluster == null) {
      return Future.succeededFuture(now);
    }
    Context context = vertx.getOrCreateContext();
    Promise<String> found = Promise.promise();
    Waiter waiter = new Waiter(address, tried, context, found);
    waiters.add(waiter);
    long timer = vertx.setTimer(timeoutMs, expired -> {
      waiters.remove(waiter);
      found.tryComplete(null);
    });
    wakeWaiters(address);
    return found.future().andThen(done -> vertx.cancelTimer(timer));
  }

  /**
   * The address that reaches {@code address}'s consumer on {@code node} only; for a consumer found to have no such
   * address, the address itself.
   */
  String target(String address, String node) {
    if (cluster == null) {
      return address;
    }
    NodeConsumer consumer = consumer(address, node);
    return consumer.plain ? address : consumer.onNode;
  }

  /**
   * Nothing consumes {@code address} on {@code node} by its per-node address, though the node consumes the address:
   * a plain Vert.x consumer. Says whether that was news, so that the request that found out can go there again.
   */
  boolean withoutOwnAddress(String address, String node) {
    return cluster != null && consumer(address, node).foundPlain();
  }

  /** Whether {@code node}'s consumer of {@code address} said it takes berth's envelope. */
  boolean takesEnvelope(String address, String node) {
    return cluster != null && consumer(address, node).takesEnvelope;
  }

  /** {@code node}'s consumer of {@code address} said, on its own address, that it takes berth's envelope. */
  void tookEnvelope(String address, String node) {
    if (cluster != null) {
      consumer(address, node).takesEnvelope = true;
    }
  }

  /** Looked up twice per request sent: a plain read first, created only the first time. */
  private NodeConsumer consumer(String address, String node) {
    Map<String, NodeConsumer> byNode = consumers.get(address);
    NodeConsumer consumer = byNode == null ? null : byNode.get(node);
    return consumer != null ? consumer : consumers.computeIfAbsent(address, any -> new ConcurrentHashMap<>())
      .computeIfAbsent(node, any -> new NodeConsumer(Addresses.onNode(address, node)));
  }

  /**
   * Greets new nodes from the caller's context, a gateway instance's, from now on (the first instance to call it wins),
   * and the nodes listed already.
   */
  void greetFrom(Context context) {
    if (cluster != null && greeter.compareAndSet(null, context)) {
      routed.forEach(this::greetNewNodes);
    }
  }

  /** Passes over {@code node} for a while: a request to it outlived its attempt deadline. */
  void suspect(String node) {
    suspectUntil.put(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SUSPECT_MS));
  }

  /** {@code node} answered: it is not stuck. */
  void answered(String node) {
    if (!suspectUntil.isEmpty()) {
      suspectUntil.remove(node);
    }
  }

  /** The nodes passed over now: draining, not greeted yet, or suspected of being stuck. */
  public Set<String> passedOver() {
    long now = System.nanoTime();
    Set<String> passed = new TreeSet<>(draining);
    passed.addAll(greeting);
    suspectUntil.forEach((node, until) -> {
      if (until - now > 0) {
        passed.add(node);
      }
    });
    return passed;
  }

  /** Calls {@code listener} on the caller's context with the id of each node that leaves the cluster. */
  void onNodeLoss(Consumer<String> listener) {
    nodeLossListeners.add(new NodeLossListener(vertx.getOrCreateContext(), listener));
  }

  private void nodeDraining(String node) {
    draining.add(node);
  }

  private void nodeLeft(String node) {
    draining.remove(node);
    suspectUntil.remove(node);
    greeting.remove(node);
    greeted.remove(node);
    consumers.values().forEach(byNode -> byNode.remove(node));
    nodeLossListeners.forEach(subscriber -> subscriber.context().runOnContext(run -> subscriber.listener().accept(node)));
  }

  /**
   * Asks each node newly listed for {@code address} the {@link Addresses#HELLO}, which opens the connections both ways;
   * answered, failed (a node without the consumer: nothing to wait for) or unanswered within {@link #HELLO_MS}, the
   * node is greeted.
   */
  private void greetNewNodes(String address) {
    Context context = greeter.get();
    if (context == null) {
      return;
    }
    for (String node : cluster.of(address)) {
      if (!greeted.contains(node) && greeting.add(node)) {
        context.runOnContext(run -> vertx.eventBus().request(Addresses.onNode(Addresses.HELLO, node), null,
            new DeliveryOptions().setSendTimeout(HELLO_MS))
          .onComplete(answered -> {
            if (greeting.remove(node)) {
              greeted.add(node);
            }
          }));
      }
    }
  }

  private void wakeWaiters(String address) {
    for (Waiter waiter : waiters) {
      if (waiter.address().equals(address)) {
        waiter.context().runOnContext(run -> {
          String node = pick(address, waiter.tried());
          if (node != null && waiters.remove(waiter)) {
            waiter.found().tryComplete(node);
          }
        });
      }
    }
  }
}
