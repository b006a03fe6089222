package dev.berth.bridge;

import dev.berth.testing.BridgeCluster;
import dev.berth.testing.BridgeSocket;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.Poll;
import dev.berth.testing.WorkerProcess;
import dev.berth.testing.WorkerProcess.Language;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge's wire protocol from a bare TCP client, as a stranger or a buggy client would use it: every bad frame is
 * answered with an {@code err} frame, or closes the connection when the framing itself is broken, while a real Python
 * worker beside it keeps serving; the token, the address list, the acknowledgement, the reply timeout and repeated
 * registrations.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BridgeProtocolIT {

  private static final Duration BOUND = BridgeCluster.BOUND;
  private static final int TIMEOUT_MS = 1_000;
  private static final int MAX_FRAME_BYTES = 1024 * 1024;
  private static final int HANDOVER_MS = 1_500;

  private final BridgeCluster cluster = new BridgeCluster(ItLogs.directory(BridgeProtocolIT.class),
    new JsonObject().put("timeoutMs", TIMEOUT_MS).put("maxFrameBytes", MAX_FRAME_BYTES)
      .put("handoverMs", HANDOVER_MS));
  private WorkerProcess python;
  private BridgeSocket socket;
  private BridgeSocket next;

  @BeforeAll
  void start() {
    cluster.start();
    python = cluster.worker(Language.PYTHON, "py-1", "second");
  }

  @AfterEach
  void closeSocket() {
    for (BridgeSocket open : new BridgeSocket[] {socket, next}) {
      if (open != null) {
        open.close();
      }
    }
    Poll.until("no raw client serving 'first'", BOUND, () -> cluster.bridgeStatus().getJsonObject("serving"),
      serving -> !serving.containsKey("first"));
  }

  @AfterAll
  void stop() {
    python.close();
    cluster.close();
  }

  @Test
  @DisplayName("a frame without a type, of an unknown type, not JSON or not an object gets an err frame, and the"
    + " connection still answers")
  void badFramesGetErrors() {
    socket = cluster.socket();

    assertThat(error(socket.send(new JsonObject().put("address", "first")))).isEqualTo("missing_type");
    assertThat(error(socket.send(new JsonObject().put("type", "shout")))).isEqualTo("unknown_type");
    assertThat(error(socket.sendText("{\"type\": \"ping\""))).isEqualTo("invalid_json");
    assertThat(error(socket.sendText("[1, 2]"))).isEqualTo("invalid_json");
    assertThat(error(socket.send(new JsonObject().put("type", "register")))).isEqualTo("missing_address");
    assertThat(error(socket.send(new JsonObject().put("type", "publish").put("address", "second")
      .put("body", "hi")))).isEqualTo("access_denied");
    assertThat(error(socket.send(new JsonObject().put("type", "send").put("address", "second").put("body",
      new JsonObject().put("method", "GET").put("path", "/zebra"))))).isEqualTo("unknown_reply_address");

    assertThat(socket.send(new JsonObject().put("type", "ping")).read()).isEqualTo(new JsonObject().put("type", "pong"));
    assertThat(Http.get(cluster.url("/zebra")).servedBy()).isEqualTo("py-1");
  }

  @ParameterizedTest(name = "length {0}")
  @ValueSource(ints = {0, 1, -1, MAX_FRAME_BYTES + 1})
  @DisplayName("a frame length out of bounds gets an err frame and the connection is closed; others go on")
  void brokenFramingCloses(int length) {
    socket = cluster.socket();

    socket.sendRaw(ByteBuffer.allocate(6).putInt(length).put((byte) '{').put((byte) '}').array());

    JsonObject error = socket.read();
    assertThat(error.getString("message")).isEqualTo("invalid_length");
    assertThat(error.getString("detail")).isEqualTo("a frame's length must be in 2.." + MAX_FRAME_BYTES
      + " bytes (bridge.maxFrameBytes), was " + length + ": closing");
    assertThat(socket.closedByBridge()).isTrue();
    assertThat(Http.get(cluster.url("/zebra")).servedBy()).isEqualTo("py-1");
  }

  @Test
  @DisplayName("a 10 MB frame is refused from its length, without being read, and the bridge stays up")
  void tenMegabyteFrame() {
    socket = cluster.socket();
    byte[] huge = new byte[10 * 1024 * 1024];
    Arrays.fill(huge, (byte) 'x');

    socket.sendRaw(ByteBuffer.allocate(4).putInt(huge.length).array());
    // The rest is written while the bridge closes the connection: the write may fail, the bridge must not.
    CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> socket.sendRaw(huge));
    assertThat(socket.read().getString("message")).isEqualTo("invalid_length");
    assertThat(socket.closedByBridge()).isTrue();
    rest.exceptionally(failed -> null).join();

    try (BridgeSocket next = cluster.socket()) {
      assertThat(next.send(new JsonObject().put("type", "ping")).read().getString("type")).isEqualTo("pong");
    }
    assertThat(Http.get(cluster.url("/zebra")).servedBy()).isEqualTo("py-1");
  }

  @ParameterizedTest(name = "token \"{0}\"")
  @ValueSource(strings = {"", "wrong-token-of-some-length"})
  @DisplayName("a client without the token cannot register, and gets no request")
  void noTokenNoRegistration(String token) {
    socket = cluster.socket();

    JsonObject refusal = token.isEmpty()
      ? socket.send(new JsonObject().put("type", "register").put("address", "first")).read()
      : socket.register("first", token);

    assertThat(refusal.getString("message")).isEqualTo("access_denied");
    assertThat(refusal.getString("detail")).isEqualTo("register needs headers.token, the bridge's token");
    assertThat(Http.get(cluster.url("/apple")).status()).isEqualTo(503);
    assertThat(cluster.bridgeNode().output()).contains("tried to register 'first' without the bridge's token: refused");
  }

  @Test
  @DisplayName("only the listed addresses may be registered")
  void onlyListedAddresses() {
    socket = cluster.socket();

    JsonObject refusal = socket.register("third", BridgeCluster.TOKEN);

    assertThat(refusal.getString("message")).isEqualTo("access_denied");
    assertThat(refusal.getString("detail"))
      .isEqualTo("this bridge serves only first, second, python, node, go (bridge.addresses),"
        + " not 'third'");
  }

  @Test
  @DisplayName("once acknowledged (asked for with headers.ack), a registration serves at once; the request and the"
    + " reply, frame by frame")
  void acknowledgedThenServed() {
    socket = cluster.socket();

    assertThat(socket.register("first", BridgeCluster.TOKEN))
      .isEqualTo(new JsonObject().put("type", "registered").put("registered", "first"));
    CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple?x=1"));

    JsonObject message = socket.read();
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("address")).isEqualTo("first");
    assertThat(message.getJsonObject("body").getString("method")).isEqualTo("GET");
    assertThat(message.getJsonObject("body").getString("path")).isEqualTo("/apple");
    assertThat(message.getJsonObject("body").getString("query")).isEqualTo("x=1");
    socket.send(new JsonObject().put("type", "send").put("address", message.getString("replyAddress"))
      .put("body", new JsonObject().put("status", 201).put("body", "made").put("servedBy", "raw")));

    Http.Response response = answer.join();
    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("made");
    assertThat(response.servedBy()).isEqualTo("raw");
  }

  @Test
  @DisplayName("registering twice on one connection is acknowledged twice and serves once")
  void duplicateRegistration() {
    socket = cluster.socket();

    socket.register("first", BridgeCluster.TOKEN);
    assertThat(socket.register("first", BridgeCluster.TOKEN).getString("type")).isEqualTo("registered");

    assertThat(cluster.bridgeStatus().getJsonObject("serving").getInteger("first")).isEqualTo(1);
    CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple"));
    JsonObject message = socket.read();
    socket.send(new JsonObject().put("type", "send").put("address", message.getString("replyAddress"))
      .put("body", new JsonObject().put("status", 200).put("servedBy", "raw")));
    assertThat(answer.join().status()).isEqualTo(200);
    assertThat(socket.send(new JsonObject().put("type", "ping")).read().getString("type"))
      .as("no second copy of the request").isEqualTo("pong");
  }

  @Test
  @DisplayName("a request the client never answers fails with 504 after bridge.timeoutMs, and the bridge forgets it")
  void unansweredRequestsAreBounded() {
    socket = cluster.socket();
    socket.register("first", BridgeCluster.TOKEN);

    List<CompletableFuture<Http.Response>> answers = IntStream.range(0, 5)
      .mapToObj(i -> Http.getAsync(cluster.url("/apple"))).toList();
    List<JsonObject> messages = IntStream.range(0, 5).mapToObj(i -> socket.read()).toList();

    assertThat(answers.stream().map(CompletableFuture::join)).allSatisfy(answer -> {
      assertThat(answer.status()).isEqualTo(504);
      assertThat(answer.json().getString("error"))
        .isEqualTo("worker for address 'first' failed: the bridge worker did not answer within " + TIMEOUT_MS + " ms");
    });
    assertThat(cluster.bridgeStatus().getInteger("holding")).isZero();
    socket.send(new JsonObject().put("type", "send").put("address", messages.get(0).getString("replyAddress"))
      .put("body", new JsonObject().put("status", 200).put("servedBy", "late")));
    assertThat(socket.read().getString("message")).isEqualTo("unknown_reply_address");
  }

  @Test
  @DisplayName("a request that arrives after the last client of its address unregistered waits for the next client"
    + " (bridge.handoverMs) and is answered by it")
  void waitingRequestHandedToNextClient() {
    servedThenUnregistered();

    CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple"));
    answeredByNextClient(answer);
    assertThat(cluster.bridgeStatus().getInteger("waiting")).isZero();
  }

  @Test
  @DisplayName("a GET held by a client that disconnects without answering, the address's last, goes to the next"
    + " client")
  void abandonedRequestHandedToNextClient() {
    socket = cluster.socket();
    socket.register("first", BridgeCluster.TOKEN);
    CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple"));
    assertThat(socket.read().getString("type")).isEqualTo("message");

    socket.close();
    answeredByNextClient(answer);
  }

  @Test
  @DisplayName("when no client comes within bridge.handoverMs, the waiting request fails back and its client gets"
    + " 503: no worker for the address")
  void noNextClientMeans503() {
    servedThenUnregistered();

    Http.Response answer = Http.get(cluster.url("/apple"));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().getString("error")).isEqualTo("no worker for address 'first'");
    assertThat(cluster.bridgeStatus().getInteger("waiting")).isZero();
  }

  /** A raw client that served 'first' and unregistered it, acknowledged: the address's last client left. */
  private void servedThenUnregistered() {
    socket = cluster.socket();
    socket.register("first", BridgeCluster.TOKEN);
    socket.send(new JsonObject().put("type", "unregister").put("address", "first")
      .put("headers", new JsonObject().put("ack", "true")));
    assertThat(socket.read().getString("type")).isEqualTo("unregistered");
  }

  /** Once the request waits at the bridge, the next client to register gets it and its answer reaches the client. */
  private void answeredByNextClient(CompletableFuture<Http.Response> answer) {
    Poll.until("the request waiting at the bridge", BOUND, () -> cluster.bridgeStatus().getInteger("waiting"),
      waiting -> waiting == 1);
    next = cluster.socket();
    next.register("first", BridgeCluster.TOKEN);
    answerWith(next, "next");
    assertThat(answer.join().status()).isEqualTo(200);
    assertThat(answer.join().servedBy()).isEqualTo("next");
  }

  /** Reads the next request the client was given and answers it 200, served by {@code name}. */
  private static void answerWith(BridgeSocket client, String name) {
    JsonObject message = client.read();
    assertThat(message.getString("type")).isEqualTo("message");
    client.send(new JsonObject().put("type", "send").put("address", message.getString("replyAddress"))
      .put("body", new JsonObject().put("status", 200).put("servedBy", name)));
  }

  @Test
  @DisplayName("a failureCode that is not an integer gets an err frame, and the request can still be answered")
  void invalidFailureCode() {
    socket = cluster.socket();
    socket.register("first", BridgeCluster.TOKEN);
    CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple"));
    String replyAddress = socket.read().getString("replyAddress");

    socket.send(new JsonObject().put("type", "send").put("address", replyAddress).put("failureCode", "teapot"));
    assertThat(socket.read().getString("message")).isEqualTo("invalid_failure_code");
    socket.send(new JsonObject().put("type", "send").put("address", replyAddress).put("failureCode", 418)
      .put("message", "short and stout"));

    assertThat(answer.join().status()).isEqualTo(418);
    assertThat(answer.join().json().getString("error")).isEqualTo("worker for address 'first' failed: short and stout");
  }

  @Test
  @DisplayName("a client built on Vert.x's own bridge frame classes (FrameHelper, FrameParser) registers and answers")
  void vertxBridgeFramesInterwork() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
      // Held until the end: Vert.x closes a client, and its connections, once nothing refers to it.
      NetClient netClient = vertx.createNetClient();
      NetSocket client = netClient.connect(cluster.bridgePort(), "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      client.handler(new FrameParser(frame -> received.add(frame.result())));

      FrameHelper.sendFrame("register", "first", null,
        new JsonObject().put("token", BridgeCluster.TOKEN).put("ack", "true"), null, null, client);

      assertThat(received.poll(10, TimeUnit.SECONDS).getString("type")).isEqualTo("registered");
      CompletableFuture<Http.Response> answer = Http.getAsync(cluster.url("/apple"));
      JsonObject message = received.poll(10, TimeUnit.SECONDS);
      FrameHelper.sendFrame("send", message.getString("replyAddress"), null,
        new JsonObject().put("status", 200).put("body", "framed by Vert.x").put("servedBy", "vertx-client"), client);

      assertThat(answer.join().body()).isEqualTo("framed by Vert.x");
      netClient.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The {@code message} of the next frame, which must be an {@code err} frame that explains itself. */
  private static String error(BridgeSocket client) {
    JsonObject frame = client.read();
    assertThat(frame.getString("type")).isEqualTo("err");
    assertThat(frame.getString("detail")).isNotBlank();
    return frame.getString("message");
  }
}
