package dev.berth.bridge;

import dev.berth.config.BridgeConfig;
import dev.berth.testing.BridgeSocket;
import dev.berth.testing.FreePorts;
import dev.berth.testing.LibraryStyleClient;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * berth's bridge against Vert.x's own {@link TcpEventBusBridge} (5.0.8): one scripted client exchange runs against
 * each, and the frames the client sees, and what the requester on the event bus gets, must be the same field for field
 * and byte for byte, but for berth's one documented addition, the {@code detail} of an {@code err} frame.
 */
@Timeout(60)
class VertxBridgeConformanceTest {

  private static final String TOKEN = "conformance-token-" + Long.toHexString(System.nanoTime());
  private static final String ANY_REPLY_ADDRESS = "<reply address>";

  private final List<Vertx> started = new ArrayList<>();

  /** Each bridge on a Vert.x of its own, whose event bus the exchange sends its requests on. */
  enum Bridge {
    VERTX, BERTH
  }

  @AfterEach
  void close() throws Exception {
    for (Vertx vertx : started) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a scripted exchange (ping, register, requests answered, failed, sent and published, refusals,"
    + " unregister) sees the same frames from berth's bridge as from Vert.x's, but for err frames' detail")
  void sameFramesAsVertxBridge() {
    List<String> vertx = exchange(Bridge.VERTX);
    List<String> berth = exchange(Bridge.BERTH);

    assertThat(berth).isEqualTo(vertx);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Bridge.class)
  @DisplayName("a client that hands every frame naming a registered address to its handler, as the popular bridge"
    + " libraries do, serves 20 requests")
  void libraryStyleClientServes(Bridge bridge) throws Exception {
    Vertx vertx = vertx();
    int port = start(bridge, vertx);
    try (LibraryStyleClient client = new LibraryStyleClient(port)) {
      client.register("first", TOKEN, false, frame -> new JsonObject()
        .put("status", 200).put("body", "hello " + frame.getJsonObject("body").getString("path")));
      awaitRegistered(client);

      for (int i = 0; i < 20; i++) {
        Message<Object> reply = request(vertx, "first", new JsonObject().put("path", "/a" + i));
        assertThat(((JsonObject) reply.body()).getString("body")).isEqualTo("hello /a" + i);
      }
      assertThat(client.failure()).as("the handler never threw").isNull();
    }
  }

  @Test
  @DisplayName("a client of berth's bridge that asks for the acknowledgement gets it, and a library-style client does"
    + " not take it for a message: it names no address")
  void acknowledgementIsNoMessage() throws Exception {
    Vertx vertx = vertx();
    int port = start(Bridge.BERTH, vertx);
    try (LibraryStyleClient client = new LibraryStyleClient(port)) {
      client.register("first", TOKEN, true, frame -> new JsonObject().put("status", 200)
        .put("body", frame.getJsonObject("body").getString("path")));

      assertThat(client.nextUnhandled()).isEqualTo(new JsonObject().put("type", "registered").put("registered",
        "first"));
      assertThat(((JsonObject) request(vertx, "first", new JsonObject().put("path", "/x")).body()).getString("body"))
        .isEqualTo("/x");
      client.unregister("first", true);
      assertThat(client.nextUnhandled()).isEqualTo(new JsonObject().put("type", "unregistered")
        .put("unregistered", "first"));
      assertThat(client.failure()).isNull();
    }
  }

  @Test
  @DisplayName("headers.ack other than \"true\" or \"false\" is refused with an err frame, and nothing is registered")
  void invalidAckHeader() {
    Vertx vertx = vertx();
    int port = start(Bridge.BERTH, vertx);
    try (BridgeSocket socket = new BridgeSocket(port)) {
      JsonObject refusal = socket.send(register("first", new JsonObject().put("token", TOKEN).put("ack", "yes"))).read();

      assertThat(refusal.getString("message")).isEqualTo("invalid_header");
      assertThat(refusal.getString("detail")).isEqualTo("headers.ack must be \"true\" or \"false\", was yes");
      assertThat(outcome(vertx, "first")).isEqualTo("failed NO_HANDLERS");
    }
  }

  /**
   * The script: each frame the client reads, and each outcome on the event bus, as JSON text; reply addresses, opaque
   * and different on each bridge, are replaced, and an err frame's detail is checked and set aside.
   */
  private List<String> exchange(Bridge bridge) {
    Vertx vertx = vertx();
    int port = start(bridge, vertx);
    List<String> seen = new ArrayList<>();
    try (BridgeSocket socket = new BridgeSocket(port)) {
      seen.add(frame(bridge, socket.send(new JsonObject().put("type", "ping")).read()));

      socket.send(register("first", new JsonObject().put("token", TOKEN)));
      seen.add(frame(bridge, socket.send(new JsonObject().put("type", "ping")).read()));

      var answered = vertx.eventBus().request("first", new JsonObject().put("method", "GET").put("path", "/a"),
        new DeliveryOptions().addHeader("x-request", "1"));
      JsonObject request = socket.read();
      seen.add(frame(bridge, request));
      socket.send(new JsonObject().put("type", "send").put("address", request.getString("replyAddress"))
        .put("body", new JsonObject().put("status", 200).put("body", "answered")));
      seen.add(outcome(answered));

      var failed = vertx.eventBus().request("first", "fail me");
      request = socket.read();
      seen.add(frame(bridge, request));
      socket.send(new JsonObject().put("type", "send").put("address", request.getString("replyAddress"))
        .put("failureCode", 418).put("message", "short and stout"));
      seen.add(outcome(failed));

      vertx.eventBus().send("first", new JsonObject().put("sent", true));
      seen.add(frame(bridge, socket.read()));
      vertx.eventBus().publish("first", "published");
      seen.add(frame(bridge, socket.read()));

      seen.add(frame(bridge, socket.send(register("third", new JsonObject().put("token", TOKEN))).read()));
      seen.add(frame(bridge, socket.send(new JsonObject().put("type", "unregister").put("address", "second")).read()));
      seen.add(frame(bridge, socket.send(new JsonObject().put("type", "register")).read()));

      socket.send(new JsonObject().put("type", "unregister").put("address", "first"));
      seen.add(frame(bridge, socket.send(new JsonObject().put("type", "ping")).read()));
      seen.add(outcome(vertx, "first"));
    }
    return seen;
  }

  private static JsonObject register(String address, JsonObject headers) {
    return new JsonObject().put("type", "register").put("address", address).put("headers", headers);
  }

  private static String frame(Bridge bridge, JsonObject read) {
    JsonObject frame = read.copy();
    if (frame.getValue("replyAddress") instanceof String) {
      frame.put("replyAddress", ANY_REPLY_ADDRESS);
    }
    if (bridge == Bridge.BERTH && "err".equals(frame.getString("type"))) {
      assertThat(frame.remove("detail")).as("berth's detail of " + frame).isInstanceOf(String.class);
    }
    return frame.encode();
  }

  private static String outcome(io.vertx.core.Future<Message<Object>> request) {
    try {
      Message<Object> reply = request.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return "reply " + reply.body();
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof ReplyException failure
        ? "failed " + failure.failureType() + " " + failure.failureCode() + " " + failure.getMessage()
        : "failed " + e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no outcome within 10 s", e);
    }
  }

  /** What a request to {@code address} with no one consuming it gets: the failure type alone, which both name. */
  private static String outcome(Vertx vertx, String address) {
    String outcome = outcome(vertx.eventBus().request(address, "anyone?"));
    return outcome.startsWith("failed NO_HANDLERS") ? "failed NO_HANDLERS" : outcome;
  }

  private static Message<Object> request(Vertx vertx, String address, JsonObject body) throws Exception {
    return vertx.eventBus().request(address, body).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The client's registration has reached the bus once a ping sent after it is answered. */
  private static void awaitRegistered(LibraryStyleClient client) {
    client.ping();
    assertThat(client.nextUnhandled()).isEqualTo(new JsonObject().put("type", "pong"));
  }

  private Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return vertx;
  }

  /** Starts the bridge on {@code vertx}, its clients allowed {@code first} and {@code second}; returns its port. */
  private static int start(Bridge bridge, Vertx vertx) {
    int port = FreePorts.next();
    var listening = switch (bridge) {
      case VERTX -> TcpEventBusBridge.create(vertx, new BridgeOptions()
          .addOutboundPermitted(new PermittedOptions().setAddress("first"))
          .addOutboundPermitted(new PermittedOptions().setAddress("second")))
        .listen(port, "127.0.0.1").mapEmpty();
      case BERTH -> vertx.deployVerticle(new BridgeVerticle(new BridgeConfig("127.0.0.1", port,
        List.of("first", "second"), TOKEN, BridgeConfig.DEFAULT_MAX_FRAME_BYTES, 5_000,
        BridgeConfig.DEFAULT_MAX_PENDING_PER_CLIENT, BridgeConfig.DEFAULT_HANDOVER_MS), null, new AtomicInteger(), new SimpleMeterRegistry(),
        WorkerMetrics.none())).mapEmpty();
    };
    try {
      listening.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(bridge + " bridge did not start", e);
    }
    return port;
  }
}
