package dev.berth.worker;

import dev.berth.protocol.BusReply;
import io.vertx.core.buffer.Buffer;

/**
 * A handler's answer: the HTTP status, content type and body the client gets; berth adds which node served it. A reply
 * answered again is encoded once, so do not change its body once answered.
 */
public record WorkerReply(int status, String contentType, Buffer body) {

  public WorkerReply {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in 100..599, was " + status);
    }
    contentType = contentType == null ? BusReply.TEXT_PLAIN : contentType;
    body = body == null ? Buffer.buffer() : body;
  }

  /** 200 with a UTF-8 text body. */
  public static WorkerReply text(String text) {
    return new WorkerReply(200, BusReply.TEXT_PLAIN, Buffer.buffer(text));
  }

  /** The reply as it travels on the bus: bytes as Base64 unless the content type says text. */
  BusReply servedBy(String nodeName) {
    return new BusReply(status, contentType, body, nodeName);
  }

  boolean isText() {
    return contentType.startsWith("text/") || contentType.startsWith("application/json");
  }
}
