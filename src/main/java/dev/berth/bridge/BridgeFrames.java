package dev.berth.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The frames of the Vert.x TCP event-bus bridge protocol: a 4-byte big-endian length, then that many bytes of a UTF-8
 * JSON object, with the fields Vert.x's own bridge sends. berth adds a {@code detail} to {@code err} frames, and the
 * {@code registered} and {@code unregistered} acknowledgements for a client that asks for them ({@code headers.ack}):
 * they carry no {@code address}, so that a client dispatching frames by address never takes one for a message.
 */
final class BridgeFrames {

  /** What an {@code err} frame's {@code message} says went wrong, as a client can test for it. */
  enum Error {
    ACCESS_DENIED, MISSING_TYPE, UNKNOWN_TYPE, MISSING_ADDRESS, INVALID_JSON, INVALID_LENGTH, UNKNOWN_ADDRESS,
    UNKNOWN_REPLY_ADDRESS, INVALID_FAILURE_CODE, INVALID_HEADER, DRAINING;

    String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private BridgeFrames() {
  }

  static Buffer encode(JsonObject frame) {
    Buffer json = frame.toBuffer();
    return Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json);
  }

  static Buffer error(Error error, String detail) {
    return encode(new JsonObject().put("type", "err").put("message", error.code()).put("detail", detail));
  }

  /** {@code {"type":"registered","registered":"orders"}}, and the same for {@code unregistered}. */
  static Buffer acknowledged(String type, String address) {
    return encode(new JsonObject().put("type", type).put(type, address));
  }

  static Buffer pong() {
    return encode(new JsonObject().put("type", "pong"));
  }
}
