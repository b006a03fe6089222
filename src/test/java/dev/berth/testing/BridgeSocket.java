package dev.berth.testing;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A bare TCP client of the bridge, writing whatever bytes a test gives it, frames or not; every read is bounded.
 */
public final class BridgeSocket implements AutoCloseable {

  /** Long enough that only a bridge that does not answer outlasts it, not a machine busy with other tests' JVMs. */
  private static final int READ_TIMEOUT_MS = 30_000;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  public BridgeSocket(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      in = new DataInputStream(socket.getInputStream());
      out = new DataOutputStream(socket.getOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One frame: the length, then the JSON. */
  public BridgeSocket send(JsonObject frame) {
    return sendText(frame.encode());
  }

  /** One frame holding {@code text}, JSON or not. */
  public BridgeSocket sendText(String text) {
    writeFrame(out, text);
    return this;
  }

  /** Writes one frame: the length of {@code text} in UTF-8, then the text. */
  static void writeFrame(DataOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one frame's JSON object. */
  static JsonObject readFrame(DataInputStream in) throws IOException {
    byte[] frame = new byte[in.readInt()];
    in.readFully(frame);
    return new JsonObject(new String(frame, StandardCharsets.UTF_8));
  }

  /** Bytes as they are, framed or not. */
  public BridgeSocket sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** The next frame; fails when none comes within the read timeout or the bridge closed the connection. */
  public JsonObject read() {
    try {
      return readFrame(in);
    } catch (IOException e) {
      throw new AssertionError("no frame from the bridge: " + e, e);
    }
  }

  /** Whether the bridge closed the connection (within the read timeout), once the frames before are read. */
  public boolean closedByBridge() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException e) {
      return true;
    } catch (IOException e) {
      return true;
    }
  }

  /** Registers, asking for the acknowledgement: returns it, or the err frame that refuses the registration. */
  public JsonObject register(String address, String token) {
    send(new JsonObject().put("type", "register").put("address", address)
      .put("headers", new JsonObject().put("token", token).put("ack", "true")));
    return read();
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
