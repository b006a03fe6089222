package dev.berth.bridge;

import dev.berth.bridge.BridgeFrames.Error;
import dev.berth.config.BridgeConfig;
import dev.berth.config.HostPort;
import dev.berth.protocol.Addresses;
import dev.berth.worker.Drain;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP event-bus bridge: programs in any language connect, show the token, and register for the addresses the
 * config lists; the {@link Dispatcher} then hands them the requests. It speaks the wire protocol of Vert.x's TCP
 * event-bus bridge ({@link FrameReader}), with what a production worker needs on top: a registration is acknowledged,
 * when the client asks, once the cluster knows it; a bad frame gets an {@code err} frame (or, when the framing itself is broken, the
 * connection is closed), and the bridge stops with the {@link Drain} every worker shares, then closes its clients.
 */
public final class BridgeVerticle extends VerticleBase {

  /** A connection that sends nothing for this long is closed: the reference workers ping every 10 s. */
  static final int IDLE_TIMEOUT_S = 60;

  private static final Logger log = LoggerFactory.getLogger(BridgeVerticle.class);

  private final BridgeConfig config;
  private final String nodeId;
  private final AtomicInteger nodeHeld;
  private final MeterRegistry metrics;
  private final WorkerMetrics requests;
  private final byte[] token;
  private final Set<BridgeClient> clients = new LinkedHashSet<>();
  private final Drain drain = new Drain();
  /** Open connections, registered or not; read by the metrics from another thread. */
  private final AtomicInteger connections = new AtomicInteger();
  private Dispatcher dispatcher;
  private NetServer server;

  /**
   * @param nodeId   this node's id in the cluster, or null on a Vert.x that is not clustered
   * @param nodeHeld counts the requests not answered yet, across all workers of the node
   */
  public BridgeVerticle(BridgeConfig config, String nodeId, AtomicInteger nodeHeld, MeterRegistry metrics,
                        WorkerMetrics requests) {
    this.config = config;
    this.nodeId = nodeId;
    this.nodeHeld = nodeHeld;
    this.metrics = metrics;
    this.requests = requests;
    this.token = config.token().getBytes(StandardCharsets.UTF_8);
    Gauge.builder("berth.bridge.connections", connections, Number::doubleValue)
      .description("Open connections to the bridge, registered or not").register(metrics);
  }

  @Override
  public Future<?> start() {
    dispatcher = new Dispatcher(vertx, config, nodeId, nodeHeld, drain, clients, metrics, requests);
    server = vertx.createNetServer(new NetServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setIdleTimeout(IDLE_TIMEOUT_S)
        .setIdleTimeoutUnit(TimeUnit.SECONDS))
      .connectHandler(this::connected);
    Future<Void> greeted = nodeId == null ? Future.succeededFuture()
      : Addresses.answerHellos(vertx.eventBus(), nodeId).completion();
    return greeted.compose(answering -> server.listen());
  }

  /**
   * What {@code GET /cluster} shows of this bridge: its connections, for each address how many clients serve it, the
   * requests they hold, and those waiting for the next client of an address whose last client left; read from the
   * counters the metrics read, on any thread.
   */
  public JsonObject status() {
    return new JsonObject()
      .put("bound", HostPort.format(config.host(), config.port()))
      .put("addresses", new JsonArray(config.addresses()))
      .put("clients", connections.get())
      .put("serving", dispatcher == null ? new JsonObject() : dispatcher.serving())
      .put("holding", drain.held().get())
      .put("waiting", dispatcher == null ? 0 : dispatcher.waiting());
  }

  private void connected(NetSocket socket) {
    BridgeClient client = new BridgeClient(socket);
    clients.add(client);
    connections.incrementAndGet();
    socket.handler(FrameReader.reading(config.maxFrameBytes(), new FrameReader.Frames() {
      @Override
      public void frame(String type, JsonObject frame) {
        if (clients.contains(client)) {
          BridgeVerticle.this.frame(client, type, frame);
        }
      }

      @Override
      public void unusable(Buffer error) {
        if (clients.contains(client)) {
          client.send(error);
        }
      }

      @Override
      public void broken(Buffer error) {
        if (clients.contains(client)) {
          client.send(error);
          closed(client);
          client.close();
        }
      }
    }));
    socket.closeHandler(gone -> closed(client));
    socket.exceptionHandler(failure -> log.debug("bridge client {}: {}", client, failure.toString()));
  }

  private void frame(BridgeClient client, String type, JsonObject frame) {
    switch (type) {
      case "ping" -> client.send(BridgeFrames.pong());
      case "register" -> register(client, frame);
      case "unregister" -> unregister(client, frame);
      case "send" -> {
        String replyAddress = address(client, frame);
        if (replyAddress != null) {
          dispatcher.reply(client, replyAddress, frame);
        }
      }
      case "publish" -> client.send(BridgeFrames.error(Error.ACCESS_DENIED, "bridge clients serve addresses: they"
        + " register, unregister, answer (send to a replyAddress they were given) and ping"));
      default -> client.send(BridgeFrames.error(Error.UNKNOWN_TYPE, "unknown type \"" + type + "\": use register,"
        + " unregister, send or ping"));
    }
  }

  private void register(BridgeClient client, JsonObject frame) {
    String address = address(client, frame);
    Boolean ack = address == null ? null : asksAck(client, frame);
    if (ack == null) {
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
    if (drain.draining()) {
      client.send(BridgeFrames.error(Error.DRAINING, "this node is draining: connect again once it is back"));
      return;
    }
    if (!client.addresses().add(address)) {
      acknowledge(client, ack, "registered", address);
      return;
    }
    dispatcher.join(client, address).onComplete(registered -> {
      if (!dispatcher.serves(client, address)) {
        return;
      }
      if (registered.succeeded()) {
        log.info("bridge client {} serves '{}'", client, address);
        acknowledge(client, ack, "registered", address);
        dispatcher.handOver(address);
      } else {
        dispatcher.leave(address, client);
        client.addresses().remove(address);
        client.send(BridgeFrames.error(Error.ACCESS_DENIED, "the cluster could not register '" + address + "': "
          + registered.cause().getMessage()));
      }
    });
  }

  private void unregister(BridgeClient client, JsonObject frame) {
    String address = address(client, frame);
    Boolean ack = address == null ? null : asksAck(client, frame);
    if (ack == null) {
      return;
    }
    if (!client.addresses().remove(address)) {
      client.send(BridgeFrames.error(Error.UNKNOWN_ADDRESS, "this connection does not serve '" + address + "'"));
      return;
    }
    dispatcher.leave(address, client);
    acknowledge(client, ack, "unregistered", address);
  }

  private static void acknowledge(BridgeClient client, boolean asked, String type, String address) {
    if (asked) {
      client.send(BridgeFrames.acknowledged(type, address));
    }
  }

  /**
   * Whether the frame asks for an acknowledgement, as {@code headers.ack} {@code "true"}; Vert.x's bridge sends none,
   * and clients of it take any frame naming an address for a message. Null after telling the client the value is bad.
   */
  private static Boolean asksAck(BridgeClient client, JsonObject frame) {
    Object ack = frame.getValue("headers") instanceof JsonObject headers ? headers.getValue("ack") : null;
    if (ack == null || "false".equals(ack) || Boolean.FALSE.equals(ack)) {
      return false;
    }
    if ("true".equals(ack) || Boolean.TRUE.equals(ack)) {
      return true;
    }
    client.send(BridgeFrames.error(Error.INVALID_HEADER, "headers.ack must be \"true\" or \"false\", was " + ack));
    return null;
  }

  private void closed(BridgeClient client) {
    if (clients.remove(client)) {
      connections.decrementAndGet();
      dispatcher.gone(client);
    }
  }

  /**
   * Serves until quiet, unregisters every address cluster-wide (the node's own copies stay until it leaves), lets the
   * clients answer what they hold, then closes their connections, within {@code timeoutMs} in all. Call once the node
   * has announced its drain.
   */
  public Future<Void> drain(long timeoutMs) {
    return Future.<Void>future(promise -> context.runOnContext(onContext ->
      drain.run(vertx, nodeId != null, timeoutMs, dispatcher::unregisterAll).onComplete(done -> {
        // Forgotten as they are closed, not once the close completes: a late request then finds no client.
        List.copyOf(clients).forEach(client -> {
          client.close();
          closed(client);
        });
        server.close().onComplete(closed -> promise.handle(done.mapEmpty()));
      })));
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
}
