package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;

import java.util.Base64;

/** {@code bodyBase64} uses standard Base64 with padding (RFC 4648 section 4), what most languages produce by default. */
final class Base64Body {

  private Base64Body() {
  }

  static String encode(Buffer body) {
    return Base64.getEncoder().encodeToString(body.getBytes());
  }

  static Buffer decode(String base64) {
    if (base64 == null) {
      return null;
    }
    try {
      return Buffer.buffer(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("\"bodyBase64\" is not standard Base64: " + e.getMessage());
    }
  }
}
