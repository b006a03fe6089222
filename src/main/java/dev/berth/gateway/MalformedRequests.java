package dev.berth.gateway;

import dev.berth.protocol.HttpError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
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
  /** The name of Vert.x's handler of a connection's first request when HTTP/2 cleartext is on: upgrade or HTTP/1. */
  private static final String H2C_UPGRADE = "h2c";

  private final HttpServerOptions options;
  private final String http2Preface;

  /** @param http2Preface what to tell a client that opened with an HTTP/2 connection preface */
  public MalformedRequests(HttpServerOptions options, String http2Preface) {
    this.options = options;
    this.http2Preface = http2Preface;
  }

  /**
   * For the server's connection handler: an HTTP/1 connection decodes its requests' versions strictly. With HTTP/2
   * cleartext on, Vert.x calls it only once its own decoder has read the first request head, which may be followed by
   * its body: that head is checked as it is, and the strict decoder takes over between that request and the next.
   */
  public void decodeVersionsStrictly(HttpConnection connection) {
    if (!(connection instanceof Http1xServerConnection http1)) {
      return;
    }
    ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
    if (pipeline.get(H2C_UPGRADE) == null) {
      pipeline.replace(HTTP_DECODER, HTTP_DECODER, new HttpVersionDecoder(options, http2Preface));
    } else {
      pipeline.addAfter(H2C_UPGRADE, null, new StrictAfterFirstRequest());
    }
  }

  /** Checks the version of a head Vert.x decoded, then puts the strict decoder in place once that request is read. */
  private final class StrictAfterFirstRequest extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof HttpRequest head && head.decoderResult().isSuccess()) {
        checkVersion(head);
      }
      ctx.fireChannelRead(message);
      if (message instanceof LastHttpContent) {
        // Removed first: the old decoder hands what it holds of the next request to the new one as it is replaced.
        ctx.pipeline().remove(this);
        ctx.pipeline().replace(HTTP_DECODER, HTTP_DECODER, new HttpVersionDecoder(options, http2Preface));
      }
    }

    private void checkVersion(HttpRequest head) {
      try {
        head.setProtocolVersion(HttpVersionDecoder.served(head.method().name(), head.uri(),
          head.protocolVersion().text(), http2Preface));
      } catch (HttpVersionDecoder.RejectedVersion rejected) {
        head.setProtocolVersion(HttpVersion.HTTP_1_0);
        head.setDecoderResult(DecoderResult.failure(rejected));
      }
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
