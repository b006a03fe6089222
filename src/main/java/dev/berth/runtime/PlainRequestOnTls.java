package dev.berth.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * On a connection a TLS server accepted, answers an HTTP request sent without TLS with a 400 that says so, as nginx
 * does, instead of the closed connection the TLS handler leaves (curl's "Empty reply from server").
 * {@link BerthTransport} puts it ahead of the TLS handler. It reads only the first bytes: a TLS client starts with a
 * record type (0x14 to 0x18) or, in an SSLv2-style hello, a byte with its high bit set; an HTTP client with its
 * method's first capital letter. Then it leaves the pipeline. The body has the shape of berth's HTTP errors
 * ({@code dev.berth.protocol.HttpError}, a layer above this one).
 */
@ChannelHandler.Sharable
final class PlainRequestOnTls extends ChannelInboundHandlerAdapter {

  static final PlainRequestOnTls INSTANCE = new PlainRequestOnTls();

  static final String ERROR = "this port speaks TLS, and the request came without it: send it over TLS (https://)";

  /** Up to where the request target is looked for: the request line of a plain request, not all it sent. */
  private static final int REQUEST_LINE_LIMIT = 2048;

  private PlainRequestOnTls() {
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object received) {
    ctx.pipeline().remove(this);
    if (received instanceof ByteBuf bytes && bytes.isReadable() && startsAnHttpRequest(bytes)) {
      String path = requestTarget(bytes);
      bytes.release();
      ctx.writeAndFlush(answer(path)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(received);
  }

  private static boolean startsAnHttpRequest(ByteBuf bytes) {
    byte first = bytes.getByte(bytes.readerIndex());
    return first >= 'A' && first <= 'Z';
  }

  /** The request line's target, or null when the first bytes hold no whole request line. */
  private static String requestTarget(ByteBuf bytes) {
    int start = bytes.readerIndex();
    int end = start + Math.min(bytes.readableBytes(), REQUEST_LINE_LIMIT);
    int lineEnd = bytes.indexOf(start, end, (byte) '\n');
    if (lineEnd < 0) {
      return null;
    }
    String[] requestLine = bytes.toString(start, lineEnd - start, StandardCharsets.ISO_8859_1).trim().split(" ");
    return requestLine.length == 3 ? requestLine[1] : null;
  }

  private static ByteBuf answer(String path) {
    byte[] body = new JsonObject().put("status", 400).put("error", ERROR).put("path", path).encode()
      .getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: " + body.length
      + "\r\nconnection: close\r\n\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
  }
}
