package dev.berth.testing;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A bridge client that dispatches as the popular client libraries of Vert.x's TCP bridge do: every frame whose
 * {@code address} names a registered handler goes to that handler, whatever its type, and what the handler returns is
 * sent to the frame's {@code replyAddress}. A handler that throws stops the client, as it stops those libraries'
 * reader, and the failure is kept for the test to see. Other frames wait in a queue.
 */
public final class LibraryStyleClient implements AutoCloseable {

  private static final long READ_BOUND_S = 5;

  private final Socket socket;
  private final DataOutputStream out;
  private final Map<String, Function<JsonObject, JsonObject>> handlers = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonObject> unhandled = new LinkedBlockingQueue<>();
  private volatile Throwable failure;

  public LibraryStyleClient(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      out = new DataOutputStream(socket.getOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread reader = new Thread(this::read, "library-style-client-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  /** Registers {@code handler} for {@code address}, asking for berth's acknowledgement when {@code ack}. */
  public void register(String address, String token, boolean ack, Function<JsonObject, JsonObject> handler) {
    handlers.put(address, handler);
    JsonObject headers = new JsonObject().put("token", token);
    send(new JsonObject().put("type", "register").put("address", address)
      .put("headers", ack ? headers.put("ack", "true") : headers));
  }

  public void unregister(String address, boolean ack) {
    JsonObject frame = new JsonObject().put("type", "unregister").put("address", address);
    send(ack ? frame.put("headers", new JsonObject().put("ack", "true")) : frame);
  }

  public void ping() {
    send(new JsonObject().put("type", "ping"));
  }

  /** The next frame that named no registered address; fails after 5 s without one. */
  public JsonObject nextUnhandled() {
    try {
      JsonObject frame = unhandled.poll(READ_BOUND_S, TimeUnit.SECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + READ_BOUND_S + " s; the client's failure: " + failure);
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** What a handler threw, which stopped the client; null while none did. */
  public Throwable failure() {
    return failure;
  }

  private void read() {
    try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
      while (true) {
        JsonObject frame = BridgeSocket.readFrame(in);
        Function<JsonObject, JsonObject> handler = frame.getValue("address") instanceof String address
          ? handlers.get(address) : null;
        if (handler == null) {
          unhandled.add(frame);
          continue;
        }
        JsonObject reply = handler.apply(frame);
        if (frame.getValue("replyAddress") instanceof String replyAddress) {
          send(new JsonObject().put("type", "send").put("address", replyAddress).put("body", reply));
        }
      }
    } catch (IOException closed) {
      // The socket was closed: by the test, or by the bridge.
    } catch (RuntimeException thrownByHandler) {
      failure = thrownByHandler;
      close();
    }
  }

  private synchronized void send(JsonObject frame) {
    BridgeSocket.writeFrame(out, frame.encode());
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
