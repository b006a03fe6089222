package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A worker's answer on the event bus (docs/protocol.md):
 * {@code {"status":200,"contentType":"text/plain; charset=utf-8","body":"First","servedBy":"node-1"}}.
 * The body travels as {@code body} (UTF-8 text) or {@code bodyBase64} (bytes); one of them, or neither when empty.
 */
public record BusReply(int status, String contentType, Buffer body, String servedBy) {

  public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  public BusReply {
    if (status < 100 || status > 599) {
      throw new ProtocolException("status must be in 100..599, was " + status);
    }
    if (servedBy == null || servedBy.isEmpty()) {
      throw new ProtocolException("missing field \"servedBy\"");
    }
    contentType = contentType == null ? TEXT_PLAIN : contentType;
    body = body == null ? Buffer.buffer() : body;
  }

  public static BusReply text(String text, String servedBy) {
    return new BusReply(200, TEXT_PLAIN, Buffer.buffer(text), servedBy);
  }

  /** Writes a text body as {@code body}; use {@link #toJsonBinary()} for bytes that need not be UTF-8. */
  public JsonObject toJson() {
    return header().put("body", body.toString());
  }

  public JsonObject toJsonBinary() {
    return header().put("bodyBase64", Base64Body.encode(body));
  }

  private JsonObject header() {
    return new JsonObject().put("status", status).put("contentType", contentType).put("servedBy", servedBy);
  }

  /**
   * @throws ProtocolException when a field is missing or has the wrong type
   */
  public static BusReply fromJson(Object message) {
    if (!(message instanceof JsonObject json)) {
      throw new ProtocolException("a reply must be a JSON object");
    }
    Integer status = JsonFields.integer(json, "status");
    if (status == null) {
      throw new ProtocolException("missing field \"status\"");
    }
    String text = JsonFields.string(json, "body");
    Buffer bytes = Base64Body.decode(JsonFields.string(json, "bodyBase64"));
    if (text != null && bytes != null) {
      throw new ProtocolException("a reply carries \"body\" or \"bodyBase64\", not both");
    }
    Buffer body = text != null ? Buffer.buffer(text) : bytes;
    return new BusReply(status, JsonFields.string(json, "contentType"), body, JsonFields.string(json, "servedBy"));
  }
}
