package dev.berth.bridge;

import dev.berth.bridge.BridgeFrames.Error;
import dev.berth.config.BridgeConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusRequest;
import dev.berth.runtime.Sweep;
import dev.berth.worker.Drain;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which clients of the bridge serve which address, and the requests given to them. The node consumes an address (and
 * its per-node copy) while a client serves it, and hands each request to one of its clients in turn; a request a
 * client does not answer within {@code timeoutMs} fails with 504, and one held by a client that goes away is given to
 * another client when it may be repeated, or fails at once so that the gateway can decide. When the last client of an
 * address leaves a clustered node, the node goes on consuming it for {@code handoverMs}: a worker being replaced (a rolling update, a
 * drained host) reconnects within it, and the requests that arrived meanwhile are handed to it instead of being lost
 * on their way to a consumer that is gone. Used on the bridge's context; the counts the metrics read may be read from
 * any thread.
 */
final class Dispatcher {

  /** How often requests given to clients are checked against their deadline, while there are any. */
  static final long SWEEP_MS = 100;

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  /** Vert.x timer ids start at 0. */
  private static final long NO_HANDOVER = -1;

  private final Vertx vertx;
  private final BridgeConfig config;
  private final String nodeId;
  private final AtomicInteger nodeHeld;
  private final Drain drain;
  private final Iterable<BridgeClient> clients;
  private final Sweep deadlines;
  private final Map<String, ServedAddress> served = new HashMap<>();
  private final Map<String, AtomicInteger> clientsByAddress = new TreeMap<>();
  private final Map<String, WorkerMetrics.AddressMeters> metersByAddress = new HashMap<>();
  /** Requests waiting for the next client of their address, across addresses. */
  private final AtomicInteger waiting = new AtomicInteger();

  /** An address some clients of this bridge serve: its consumers on this node, and whose turn is next. */
  private static final class ServedAddress {
    final String address;
    final List<BridgeClient> clients = new ArrayList<>(2);
    final List<MessageConsumer<Object>> consumers = new ArrayList<>(2);
    /** Requests that arrived, or were left by a client that went, while no client served the address. */
    final Deque<BridgeClient.Pending> waiting = new ArrayDeque<>();
    Future<?> registered;
    int next;
    /** The timer that ends the handover while no client serves the address; {@link #NO_HANDOVER} while one does. */
    long handover = NO_HANDOVER;

    ServedAddress(String address) {
      this.address = address;
    }

    /** The consumer of the address itself, which everyone may send to: {@link #serve} registers it last. */
    MessageConsumer<Object> ofAddress() {
      return consumers.get(consumers.size() - 1);
    }

    /** The next client in turn that can take a request, or null when each holds as many as it may. */
    BridgeClient next(int maxPending) {
      for (int i = 0; i < clients.size(); i++) {
        BridgeClient client = clients.get(Math.floorMod(next++, clients.size()));
        if (client.canTake(maxPending)) {
          return client;
        }
      }
      return null;
    }
  }

  /**
   * @param nodeId   this node's id in the cluster, or null on a Vert.x that is not clustered
   * @param nodeHeld counts the requests not answered yet, across all workers of the node
   * @param drain    the bridge's drain, which counts the requests its clients hold
   * @param clients  the bridge's connections
   */
  Dispatcher(Vertx vertx, BridgeConfig config, String nodeId, AtomicInteger nodeHeld, Drain drain,
             Iterable<BridgeClient> clients, MeterRegistry metrics, WorkerMetrics requests) {
    this.vertx = vertx;
    this.config = config;
    this.nodeId = nodeId;
    this.nodeHeld = nodeHeld;
    this.drain = drain;
    this.clients = clients;
    this.deadlines = new Sweep(vertx, SWEEP_MS, this::expire);
    Gauge.builder("berth.bridge.holding", drain.held(), Number::doubleValue)
      .description("Requests the bridge's clients hold and have not answered").register(metrics);
    Gauge.builder("berth.bridge.waiting", waiting, Number::doubleValue)
      .description("Requests waiting for the next client of an address whose last client left").register(metrics);
    for (String address : config.addresses()) {
      AtomicInteger serving = new AtomicInteger();
      clientsByAddress.put(address, serving);
      Gauge.builder("berth.bridge.clients", serving, Number::doubleValue).tag("address", address)
        .description("Bridge clients registered for an address").register(metrics);
      metersByAddress.put(address, requests.of(address));
    }
  }

  /** For each address, how many clients serve it now, for those served at all; from any thread. */
  JsonObject serving() {
    JsonObject serving = new JsonObject();
    clientsByAddress.forEach((address, clients) -> {
      if (clients.get() > 0) {
        serving.put(address, clients.get());
      }
    });
    return serving;
  }

  /** Requests waiting for the next client of their address now; from any thread. */
  int waiting() {
    return waiting.get();
  }

  /**
   * {@code client} serves {@code address} from now on; completes once the cluster knows the node consumes it. Call
   * {@link #handOver} once the client has been told.
   */
  Future<?> join(BridgeClient client, String address) {
    ServedAddress slot = served.computeIfAbsent(address, this::serve);
    slot.clients.add(client);
    clientsByAddress.get(address).incrementAndGet();
    if (slot.handover != NO_HANDOVER) {
      vertx.cancelTimer(slot.handover);
      slot.handover = NO_HANDOVER;
    }
    return slot.registered;
  }

  /** Gives the requests that waited for a client of {@code address} to its clients in turn. */
  void handOver(String address) {
    ServedAddress slot = served.get(address);
    if (slot == null || slot.waiting.isEmpty()) {
      return;
    }
    int handed = 0;
    for (BridgeClient client; !slot.waiting.isEmpty() && (client = slot.next(config.maxPendingPerClient())) != null;
         handed++) {
      BridgeClient.Pending request = slot.waiting.poll();
      waiting.decrementAndGet();
      deliver(client, address, request.message(), request.deadlineNanos());
    }
    log.info("{} request(s) that waited for a bridge client of '{}' handed over", handed, address);
    failWaiting(slot, "every bridge client of '" + address + "' on this node holds " + config.maxPendingPerClient()
      + " requests (bridge.maxPendingPerClient)");
  }

  /** Whether {@code client} serves {@code address} now. */
  boolean serves(BridgeClient client, String address) {
    ServedAddress slot = served.get(address);
    return slot != null && slot.clients.contains(client);
  }

  /** The client no longer serves {@code address}; the node stops consuming it when no client does. */
  void leave(String address, BridgeClient client) {
    ServedAddress slot = served.get(address);
    if (slot == null || !slot.clients.remove(client)) {
      return;
    }
    clientsByAddress.get(address).decrementAndGet();
    if (!slot.clients.isEmpty()) {
      return;
    }
    // Without a cluster, nothing is on its way to a consumer that is gone: the local bus answers "no handlers" at once.
    if (config.handoverMs() == 0 || nodeId == null || drain.draining()) {
      stopServing(slot);
      return;
    }
    log.info("no bridge client serves '{}' on this node now: its requests wait up to {} ms for the next one"
      + " (bridge.handoverMs)", address, config.handoverMs());
    slot.handover = vertx.setTimer(config.handoverMs(), ended -> {
      slot.handover = NO_HANDOVER;
      if (slot.clients.isEmpty() && served.get(address) == slot) {
        log.info("no bridge client came for '{}' within {} ms: the node stops consuming it, {} waiting request(s)"
          + " failed back to the gateway", address, config.handoverMs(), slot.waiting.size());
        stopServing(slot);
      }
    });
  }

  /**
   * Unregisters every address the node consumes for its clients, cluster-wide; requests still waiting fail back. The
   * node's own copies stay until it leaves, as a Java worker's do: a gateway's request that arrives there late goes to
   * a client still connected, or fails back at once, where without a consumer it would get no answer at all.
   */
  Future<?> unregisterAll() {
    List<ServedAddress> slots = List.copyOf(served.values());
    slots.stream().filter(slot -> slot.handover != NO_HANDOVER).forEach(slot -> vertx.cancelTimer(slot.handover));
    slots.forEach(slot -> failWaiting(slot, "the bridge node is draining"));
    return Future.join(slots.stream().map(slot -> slot.ofAddress().unregister()).toList());
  }

  /**
   * The node no longer consumes the address (on a draining node, its own copy stays: see {@link #unregisterAll});
   * requests that waited for a client fail back to the gateway.
   */
  private void stopServing(ServedAddress slot) {
    served.remove(slot.address);
    failWaiting(slot, "no bridge client serves '" + slot.address + "' on this node");
    (drain.draining() ? List.of(slot.ofAddress()) : slot.consumers).forEach(MessageConsumer::unregister);
  }

  /** Fails the requests waiting for a client as not delivered, so that the gateway sends them elsewhere. */
  private void failWaiting(ServedAddress slot, String why) {
    for (BridgeClient.Pending request; (request = slot.waiting.poll()) != null; ) {
      waiting.decrementAndGet();
      request.message().fail(BusFailure.NOT_DELIVERED, why);
      ended(request, WorkerMetrics.Outcome.FAILED);
    }
  }

  /** The node's consumers of {@code address}: its own copy first, which gateways send to once they see the other. */
  private ServedAddress serve(String address) {
    ServedAddress slot = new ServedAddress(address);
    List<Future<Void>> registrations = new ArrayList<>(2);
    List<String> names = nodeId == null ? List.of(address) : List.of(Addresses.onNode(address, nodeId), address);
    for (String name : names) {
      MessageConsumer<Object> consumer = vertx.eventBus().consumer(name, message -> dispatch(slot, message));
      slot.consumers.add(consumer);
      registrations.add(consumer.completion());
    }
    slot.registered = Future.all(registrations);
    return slot;
  }

  private void dispatch(ServedAddress slot, Message<Object> message) {
    drain.arrived();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs());
    BridgeClient client = slot.next(config.maxPendingPerClient());
    if (client != null) {
      deliver(client, slot.address, message, deadline);
    } else if (slot.handover != NO_HANDOVER && slot.waiting.size() < config.maxPendingPerClient()) {
      keepForNextClient(slot, new BridgeClient.Pending(slot.address, message, deadline));
    } else if (slot.clients.isEmpty()) {
      message.fail(BusFailure.NOT_DELIVERED, "no bridge client serves '" + slot.address + "' on this node");
      metersByAddress.get(slot.address).ended(WorkerMetrics.Outcome.FAILED, System.nanoTime());
    } else {
      message.fail(BusFailure.BUSY, "every bridge client of '" + slot.address + "' on this node holds "
        + config.maxPendingPerClient() + " requests (bridge.maxPendingPerClient)");
      metersByAddress.get(slot.address).ended(WorkerMetrics.Outcome.FAILED, System.nanoTime());
    }
  }

  private void deliver(BridgeClient client, String address, Message<Object> message, long deadlineNanos) {
    client.deliver(address, message, deadlineNanos);
    if (message.replyAddress() != null) {
      drain.took();
      nodeHeld.incrementAndGet();
      deadlines.needed();
    }
  }

  /** The client's {@code send} frame, which answers (or fails) a request it was given. */
  void reply(BridgeClient client, String replyAddress, JsonObject frame) {
    if (!client.waitsAt(replyAddress)) {
      client.send(BridgeFrames.error(Error.UNKNOWN_REPLY_ADDRESS, "no request waits for an answer at '" + replyAddress
        + "': it was answered, it expired after " + config.timeoutMs() + " ms (bridge.timeoutMs), or it was not"
        + " given to this connection; bridge clients may only answer"));
      return;
    }
    Object failureCode = frame.getValue("failureCode");
    if (failureCode != null && !(failureCode instanceof Integer)) {
      client.send(BridgeFrames.error(Error.INVALID_FAILURE_CODE, "failureCode must be an integer, such as an HTTP"
        + " status, was " + failureCode));
      return;
    }
    BridgeClient.Pending request = client.answered(replyAddress);
    settled(1);
    if (failureCode == null) {
      request.message().reply(frame.getValue("body"));
      ended(request, WorkerMetrics.Outcome.ANSWERED);
    } else {
      request.message().fail((Integer) failureCode,
        frame.getValue("message") instanceof String description ? description : "the worker failed");
      ended(request, WorkerMetrics.Outcome.FAILED);
    }
  }

  /** Requests whose client did not answer within {@code timeoutMs} fail with 504; says whether any are still held. */
  private boolean expire() {
    long now = System.nanoTime();
    for (BridgeClient client : clients) {
      List<BridgeClient.Pending> expired = client.expired(now);
      for (BridgeClient.Pending request : expired) {
        request.message().fail(BusFailure.TIMEOUT, "the bridge worker did not answer within " + config.timeoutMs()
          + " ms");
        ended(request, WorkerMetrics.Outcome.TIMED_OUT);
      }
      settled(expired.size());
    }
    return drain.held().get() > 0;
  }

  /**
   * The client went: it serves nothing any more, and each request it held goes to another client of the address when
   * it may be repeated, or fails at once so that the gateway can decide.
   */
  void gone(BridgeClient client) {
    List.copyOf(client.addresses()).forEach(address -> leave(address, client));
    List<BridgeClient.Pending> abandoned = client.abandoned();
    settled(abandoned.size());
    int resent = 0;
    for (BridgeClient.Pending request : abandoned) {
      ServedAddress slot = served.get(request.address());
      BridgeClient other = slot != null && repeatable(request.message()) ? slot.next(config.maxPendingPerClient()) : null;
      if (other != null) {
        deliver(other, request.address(), request.message(), request.deadlineNanos());
        resent++;
      } else if (slot != null && slot.handover != NO_HANDOVER && repeatable(request.message())) {
        keepForNextClient(slot, request);
        resent++;
      } else {
        request.message().fail(BusFailure.WORKER_LOST, "the bridge worker serving '" + request.address()
          + "' disconnected before it answered");
        ended(request, WorkerMetrics.Outcome.FAILED);
      }
    }
    if (!abandoned.isEmpty()) {
      log.warn("bridge client {} disconnected holding {} request(s): {} given to another client or kept for the next"
        + " one, {} failed back to the gateway", client, abandoned.size(), resent, abandoned.size() - resent);
    } else if (!client.addresses().isEmpty()) {
      log.info("bridge client {} disconnected", client);
    }
  }

  private void keepForNextClient(ServedAddress slot, BridgeClient.Pending request) {
    slot.waiting.add(request);
    waiting.incrementAndGet();
  }

  /** A request given to a client arrived {@code timeoutMs} before its deadline. */
  private void ended(BridgeClient.Pending request, WorkerMetrics.Outcome outcome) {
    metersByAddress.get(request.address()).ended(outcome,
      request.deadlineNanos() - TimeUnit.MILLISECONDS.toNanos(config.timeoutMs()));
  }

  private void settled(int count) {
    nodeHeld.addAndGet(-count);
    drain.settled(count);
  }

  private static boolean repeatable(Message<Object> message) {
    return message.body() instanceof JsonObject request && request.getValue("method") instanceof String method
      && BusRequest.idempotent(method);
  }
}
