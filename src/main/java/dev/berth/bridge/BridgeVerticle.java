package dev.berth.bridge;

import dev.berth.bridge.BridgeFrames.Error;
import dev.berth.config.BridgeConfig;
import dev.berth.config.HostPort;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusRequest;
import dev.berth.worker.QuietPeriod;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP event-bus bridge: programs in any language connect, show the token, and register for the addresses the
 * config lists; the node then consumes each such address (and its per-node copy) and hands every request to one of
 * the clients that registered it, in turn. It speaks the wire protocol of Vert.x's TCP event-bus bridge, with what a
 * production worker needs on top: a registration is acknowledged once the cluster knows it, a bad frame gets an
 * {@code err} frame (or, when the framing itself is broken, the connection is closed), a request a client does not
 * answer within {@code timeoutMs} fails with 504, and one held by a client that disconnects goes to another client
 * or fails at once, so that the gateway can send it elsewhere.
 */
public final class BridgeVerticle extends VerticleBase {

  /** How often requests are checked against their deadline. */
  static final long SWEEP_MS = 100;
  /** A connection that sends nothing for this long is closed: the reference workers ping every 10 s. */
  static final int IDLE_TIMEOUT_S = 60;
  /** The smallest JSON object, {@code {}}. */
  private static final int MIN_FRAME_BYTES = 2;

  private static final Logger log = LoggerFactory.getLogger(BridgeVerticle.class);

  private final BridgeConfig config;
  private final String nodeId;
  private final AtomicInteger held;
  private final byte[] token;
  private final Map<String, ServedAddress> served = new HashMap<>();
  private final Set<BridgeClient> clients = new LinkedHashSet<>();
  private final QuietPeriod quietPeriod = new QuietPeriod();
  /** What the metrics read from another thread, kept on this context: connections, clients per address, requests held. */
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, AtomicInteger> clientsByAddress = new TreeMap<>();
  private final Map<String, WorkerMetrics.AddressMeters> metersByAddress = new HashMap<>();
  private final AtomicInteger holding = new AtomicInteger();
  private NetServer server;
  private boolean draining;
  private Promise<Void> answered;

  /** An address some clients of this bridge serve: its consumers on this node, and whose turn is next. */
  private static final class ServedAddress {
    final String address;
    final List<BridgeClient> clients = new ArrayList<>(2);
    final List<MessageConsumer<Object>> consumers = new ArrayList<>(2);
    Future<?> registered;
    int next;

    ServedAddress(String address) {
      this.address = address;
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
   * @param nodeId this node's id in the cluster, or null on a Vert.x that is not clustered
   * @param held   counts the requests not answered yet, across all workers of the node
   */
  public BridgeVerticle(BridgeConfig config, String nodeId, AtomicInteger held, MeterRegistry metrics,
                        WorkerMetrics requests) {
    this.config = config;
    this.nodeId = nodeId;
    this.held = held;
    this.token = config.token().getBytes(StandardCharsets.UTF_8);
    Gauge.builder("berth.bridge.connections", connections, Number::doubleValue)
      .description("Open connections to the bridge, registered or not").register(metrics);
    Gauge.builder("berth.bridge.holding", holding, Number::doubleValue)
      .description("Requests the bridge's clients hold and have not answered").register(metrics);
    for (String address : config.addresses()) {
      AtomicInteger clients = new AtomicInteger();
      clientsByAddress.put(address, clients);
      Gauge.builder("berth.bridge.clients", clients, Number::doubleValue).tag("address", address)
        .description("Bridge clients registered for an address").register(metrics);
      metersByAddress.put(address, requests.of(address));
    }
  }

  @Override
  public Future<?> start() {
    server = vertx.createNetServer(new NetServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setIdleTimeout(IDLE_TIMEOUT_S)
        .setIdleTimeoutUnit(TimeUnit.SECONDS))
      .connectHandler(this::connected);
    vertx.setPeriodic(SWEEP_MS, tick -> expire());
    return server.listen();
  }

  /**
   * What {@code GET /cluster} shows of this bridge: its connections, for each address how many clients serve it, and
   * the requests they hold; read from the counters the metrics read, on any thread.
   */
  public JsonObject status() {
    JsonObject serving = new JsonObject();
    clientsByAddress.forEach((address, clients) -> {
      if (clients.get() > 0) {
        serving.put(address, clients.get());
      }
    });
    return new JsonObject()
      .put("bound", HostPort.format(config.host(), config.port()))
      .put("addresses", new JsonArray(config.addresses()))
      .put("clients", connections.get())
      .put("serving", serving)
      .put("holding", holding.get());
  }

  private void connected(NetSocket socket) {
    BridgeClient client = new BridgeClient(socket);
    clients.add(client);
    connections.incrementAndGet();
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer buffer) {
        if (!clients.contains(client)) {
          return;
        }
        if (length >= 0) {
          length = -1;
          parser.fixedSizeMode(4);
          frame(client, buffer);
          return;
        }
        length = buffer.getInt(0);
        if (length < MIN_FRAME_BYTES || length > config.maxFrameBytes()) {
          client.send(BridgeFrames.error(Error.INVALID_LENGTH, "a frame's length must be in " + MIN_FRAME_BYTES
            + ".." + config.maxFrameBytes() + " bytes (bridge.maxFrameBytes), was " + length + ": closing"));
          closed(client);
          client.close();
          return;
        }
        parser.fixedSizeMode(length);
      }
    });
    socket.handler(parser);
    socket.closeHandler(gone -> closed(client));
    socket.exceptionHandler(failure -> log.debug("bridge client {}: {}", client, failure.toString()));
  }

  private void frame(BridgeClient client, Buffer buffer) {
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      client.send(BridgeFrames.error(Error.INVALID_JSON, "the frame is not JSON: " + firstLine(e.getMessage())));
      return;
    }
    if (!(value instanceof JsonObject frame)) {
      client.send(BridgeFrames.error(Error.INVALID_JSON, "a frame must hold a JSON object"));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      client.send(BridgeFrames.error(Error.MISSING_TYPE, "a frame needs a \"type\": register, unregister, send or"
        + " ping"));
      return;
    }
    switch (type) {
      case "ping" -> client.send(BridgeFrames.pong());
      case "register" -> register(client, frame);
      case "unregister" -> unregister(client, frame);
      case "send" -> reply(client, frame);
      case "publish" -> client.send(BridgeFrames.error(Error.ACCESS_DENIED, "bridge clients serve addresses: they"
        + " register, unregister, answer (send to a replyAddress they were given) and ping"));
      default -> client.send(BridgeFrames.error(Error.UNKNOWN_TYPE, "unknown type \"" + type + "\": use register,"
        + " unregister, send or ping"));
    }
  }

  private void register(BridgeClient client, JsonObject frame) {
    String address = address(client, frame);
    if (address == null) {
      return;
    }
    if (!hasToken(frame)) {
      if (client.firstRefusal()) {
        log.warn("bridge client {} tried to register '{}' without the bridge's token: refused", client, address);
      }
      client.send(BridgeFrames.error(Error.ACCESS_DENIED, "register needs headers.token, the bridge's token"));
      return;
    }
    if (!config.addresses().contains(address)) {
      client.send(BridgeFrames.error(Error.ACCESS_DENIED, "this bridge serves only " + String.join(", ",
        config.addresses()) + " (bridge.addresses), not '" + address + "'"));
      return;
    }
    if (draining) {
      client.send(BridgeFrames.error(Error.DRAINING, "this node is draining: connect again once it is back"));
      return;
    }
    if (!client.addresses().add(address)) {
      client.send(BridgeFrames.acknowledged("registered", address));
      return;
    }
    ServedAddress slot = served.computeIfAbsent(address, this::serve);
    slot.clients.add(client);
    clientsByAddress.get(address).incrementAndGet();
    slot.registered.onComplete(registered -> {
      if (!slot.clients.contains(client)) {
        return;
      }
      if (registered.succeeded()) {
        log.info("bridge client {} serves '{}'", client, address);
        client.send(BridgeFrames.acknowledged("registered", address));
      } else {
        leave(address, client);
        client.addresses().remove(address);
        client.send(BridgeFrames.error(Error.ACCESS_DENIED, "the cluster could not register '" + address + "': "
          + registered.cause().getMessage()));
      }
    });
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

  private void unregister(BridgeClient client, JsonObject frame) {
    String address = address(client, frame);
    if (address == null) {
      return;
    }
    if (!client.addresses().remove(address)) {
      client.send(BridgeFrames.error(Error.UNKNOWN_ADDRESS, "this connection does not serve '" + address + "'"));
      return;
    }
    leave(address, client);
    client.send(BridgeFrames.acknowledged("unregistered", address));
  }

  /** The client no longer serves {@code address}; the node stops consuming it when no client does. */
  private void leave(String address, BridgeClient client) {
    ServedAddress slot = served.get(address);
    if (slot == null || !slot.clients.remove(client)) {
      return;
    }
    clientsByAddress.get(address).decrementAndGet();
    if (!slot.clients.isEmpty()) {
      return;
    }
    served.remove(address);
    slot.consumers.forEach(MessageConsumer::unregister);
  }

  private void dispatch(ServedAddress slot, Message<Object> message) {
    quietPeriod.arrived();
    BridgeClient client = slot.next(config.maxPendingPerClient());
    if (client != null) {
      deliver(client, slot.address, message, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs()));
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
      holding.incrementAndGet();
      held.incrementAndGet();
    }
  }

  private void reply(BridgeClient client, JsonObject frame) {
    String replyAddress = address(client, frame);
    if (replyAddress == null) {
      return;
    }
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

  /** Requests whose client did not answer within {@code timeoutMs} fail with 504. */
  private void expire() {
    if (holding.get() == 0) {
      return;
    }
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
  }

  /**
   * The client went: it serves nothing any more, and each request it held goes to another client of the address when
   * it may be repeated, or fails at once so that the gateway can decide.
   */
  private void closed(BridgeClient client) {
    if (!clients.remove(client)) {
      return;
    }
    connections.decrementAndGet();
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
      } else {
        request.message().fail(BusFailure.WORKER_LOST, "the bridge worker serving '" + request.address()
          + "' disconnected before it answered");
        ended(request, WorkerMetrics.Outcome.FAILED);
      }
    }
    if (!abandoned.isEmpty()) {
      log.warn("bridge client {} disconnected holding {} request(s): {} given to another client, {} failed back to the"
        + " gateway", client, abandoned.size(), resent, abandoned.size() - resent);
    } else if (!client.addresses().isEmpty()) {
      log.info("bridge client {} disconnected", client);
    }
  }

  /** A request given to a client arrived {@code timeoutMs} before its deadline. */
  private void ended(BridgeClient.Pending request, WorkerMetrics.Outcome outcome) {
    metersByAddress.get(request.address()).ended(outcome,
      request.deadlineNanos() - TimeUnit.MILLISECONDS.toNanos(config.timeoutMs()));
  }

  private static boolean repeatable(Message<Object> message) {
    return message.body() instanceof JsonObject request && request.getValue("method") instanceof String method
      && BusRequest.idempotent(method);
  }

  private void settled(int count) {
    if (count == 0) {
      return;
    }
    holding.addAndGet(-count);
    held.addAndGet(-count);
    if (holding.get() == 0 && answered != null) {
      answered.tryComplete();
    }
  }

  /**
   * Serves until quiet, unregisters every address cluster-wide, lets the clients answer what they hold, then closes
   * their connections, within {@code timeoutMs} in all. Call once the node has announced its drain.
   */
  public Future<Void> drain(long timeoutMs) {
    return Future.<Void>future(promise -> context.runOnContext(onContext -> {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      draining = true;
      answered = Promise.promise();
      quietPeriod.arrived();
      (nodeId == null ? Future.<Void>succeededFuture() : quietPeriod.await(vertx, deadline))
        .compose(quiet -> Future.join(served.values().stream()
          .flatMap(slot -> slot.consumers.stream().map(MessageConsumer::unregister)).toList()))
        .compose(unregistered -> holding.get() == 0 ? Future.<Void>succeededFuture() : answered.future())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(done -> {
          List.copyOf(clients).forEach(BridgeClient::close);
          server.close().onComplete(closed -> promise.handle(done.mapEmpty()));
        });
    }));
  }

  /** The frame's {@code address}, or null after telling the client it is missing. */
  private static String address(BridgeClient client, JsonObject frame) {
    if (frame.getValue("address") instanceof String address && !address.isEmpty()) {
      return address;
    }
    client.send(BridgeFrames.error(Error.MISSING_ADDRESS, "a " + frame.getValue("type") + " frame needs an"
      + " \"address\""));
    return null;
  }

  private boolean hasToken(JsonObject frame) {
    return frame.getValue("headers") instanceof JsonObject headers && headers.getValue("token") instanceof String shown
      && MessageDigest.isEqual(shown.getBytes(StandardCharsets.UTF_8), token);
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
