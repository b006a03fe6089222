package dev.berth.gateway;

import dev.berth.protocol.HttpError;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * What an HTTP port of berth's answers to a request head that is no well-formed HTTP/1.x, instead of Vert.x's bare
 * 400 and 501: the version decoded as RFC 9112 has it ({@link HttpVersionDecoder}), and every malformed head answered
 * with berth's JSON error, then the connection closed.
 */
public final class MalformedRequests {

  /** The name of Vert.x's HTTP/1 request decoder in a connection's pipeline. */
  private static final String HTTP_DECODER = "httpDecoder";

  private final HttpServerOptions options;
  private final String http2Preface;

  /** @param http2Preface what to tell a client that opened with an HTTP/2 connection preface */
  public MalformedRequests(HttpServerOptions options, String http2Preface) {
    this.options = options;
    this.http2Preface = http2Preface;
  }

  /** For the server's connection handler: an HTTP/1 connection decodes its requests' versions strictly. */
  public void decodeVersionsStrictly(HttpConnection connection) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    if (pipeline.get(HTTP_DECODER) != null) {
      pipeline.replace(HTTP_DECODER, HTTP_DECODER, new HttpVersionDecoder(options, http2Preface));
    }
  }

  /**
   * For the server's invalid request handler, a head Netty could not parse: 400, 414 and 431 for a line or headers too
   * long, 505 for an HTTP version other than 1.x; then the close.
   */
  public void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
      .endHandler(ended -> request.connection().close());
    if (cause instanceof HttpVersionDecoder.RejectedVersion rejected) {
      HttpError.send(request.response(), rejected.status(), rejected.getMessage(), rejected.path());
      return;
    }
    int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    HttpError.send(request.response(), status, status == 400
      ? "malformed request: " + (cause == null ? "not HTTP" : cause.getMessage())
      : reason(status), request.path() == null ? "" : request.path());
  }

  /**
   * Why a request's target cannot be routed, as the error of a 400: it is no path ({@code *}, an authority), or its
   * percent-escapes do not decode; null when it is a path that decodes.
   */
  public static String unroutableTarget(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.path() == null || !request.path().startsWith("/")) {
      return "request target '" + request.uri() + "' is no path: this port serves paths starting with '/'";
    }
    try {
      ctx.normalizedPath();
      return null;
    } catch (IllegalArgumentException e) {
      return malformedPath(e);
    }
  }

  /** The error of a path whose percent-escapes do not decode, as {@link RoutingContext#normalizedPath()} threw it. */
  public static String malformedPath(IllegalArgumentException decoding) {
    return "malformed path: " + decoding.getMessage();
  }

  /** The status's reason phrase, in lower case, as the error of an answer that needs no more. */
  public static String reason(int status) {
    return HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
  }
}
