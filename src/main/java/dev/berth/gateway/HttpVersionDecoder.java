package dev.berth.gateway;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vert.x's HTTP/1 request decoder, strict about the version as RFC 9112 has it ({@code HTTP/} DIGIT {@code .} DIGIT,
 * case-sensitive): {@code HTTP/1.x} with x above 1 is served as HTTP/1.1; another major version fails the head with a
 * {@link RejectedVersion} of 505 (an HTTP/2 connection preface among them), and a version that is not one with a
 * {@link RejectedVersion} of 400. Vert.x would answer all of them with a bare 501.
 */
final class HttpVersionDecoder extends VertxHttpRequestDecoder {

  private static final Pattern VERSION = Pattern.compile("HTTP/(\\d)\\.(\\d)");

  /** A request head whose version is refused: the status to answer with, and the path the head asked for. */
  static final class RejectedVersion extends IllegalArgumentException {
    private final int status;
    private final String path;

    RejectedVersion(int status, String message, String path) {
      super(message, null);
      this.status = status;
      this.path = path;
    }

    int status() {
      return status;
    }

    String path() {
      return path;
    }
  }

  private final String http2Preface;

  /** @param http2Preface the error for an HTTP/2 connection preface */
  HttpVersionDecoder(HttpServerOptions options, String http2Preface) {
    super(options);
    this.http2Preface = http2Preface;
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    return new DefaultHttpRequest(served(initialLine[0], initialLine[1], initialLine[2], http2Preface),
      HttpMethod.valueOf(initialLine[0]), initialLine[1], HeadersMultiMap.httpHeaders());
  }

  /** The version a request head is served with, or the {@link RejectedVersion} it gets. */
  static HttpVersion served(String method, String target, String version, String http2Preface) {
    if (version.equals("HTTP/1.1")) {
      return HttpVersion.HTTP_1_1;
    }
    if (version.equals("HTTP/1.0")) {
      return HttpVersion.HTTP_1_0;
    }
    Matcher matcher = VERSION.matcher(version);
    if (!matcher.matches()) {
      throw new RejectedVersion(400, "malformed HTTP version '" + version + "': expected HTTP/1.1", target);
    }
    if (!matcher.group(1).equals("1")) {
      throw new RejectedVersion(505, method.equals("PRI") && version.equals("HTTP/2.0")
        ? http2Preface
        : version + " is not served: this port speaks HTTP/1.0 and HTTP/1.1", target);
    }
    return HttpVersion.HTTP_1_1;
  }
}
