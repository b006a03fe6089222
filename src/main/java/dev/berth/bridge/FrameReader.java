package dev.berth.bridge;

import dev.berth.bridge.BridgeFrames.Error;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;

/**
 * Reads the bridge's frames off one connection, a 4-byte big-endian length and then that many bytes of a JSON object
 * with a {@code type}, and hands each on: a usable frame, a frame that cannot be used (the connection goes on), or a
 * length out of bounds, after which the framing is lost and the connection must close.
 */
final class FrameReader {

  /** The smallest JSON object, {@code {}}. */
  static final int MIN_FRAME_BYTES = 2;

  /** What the frames read off one connection go to. */
  interface Frames {
    void frame(String type, JsonObject frame);

    /** An {@code err} frame for the client: the frame could not be used. */
    void unusable(Buffer error);

    /** An {@code err} frame for the client: its framing is broken, and the connection must close. */
    void broken(Buffer error);
  }

  private FrameReader() {
  }

  /** A handler for a connection's bytes, which reads frames of at most {@code maxFrameBytes} into {@code frames}. */
  static Handler<Buffer> reading(int maxFrameBytes, Frames frames) {
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer buffer) {
        if (length >= 0) {
          length = -1;
          parser.fixedSizeMode(4);
          decode(buffer, frames);
          return;
        }
        length = buffer.getInt(0);
        if (length < MIN_FRAME_BYTES || length > maxFrameBytes) {
          frames.broken(BridgeFrames.error(Error.INVALID_LENGTH, "a frame's length must be in " + MIN_FRAME_BYTES
            + ".." + maxFrameBytes + " bytes (bridge.maxFrameBytes), was " + length + ": closing"));
          return;
        }
        parser.fixedSizeMode(length);
      }
    });
    return parser;
  }

  private static void decode(Buffer buffer, Frames frames) {
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      frames.unusable(BridgeFrames.error(Error.INVALID_JSON, "the frame is not JSON: " + firstLine(e.getMessage())));
      return;
    }
    if (!(value instanceof JsonObject frame)) {
      frames.unusable(BridgeFrames.error(Error.INVALID_JSON, "a frame must hold a JSON object"));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      frames.unusable(BridgeFrames.error(Error.MISSING_TYPE, "a frame needs a \"type\": register, unregister, send or"
        + " ping"));
      return;
    }
    frames.frame(type, frame);
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
