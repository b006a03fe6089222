package dev.berth.runtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;

import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;

/**
 * The Vert.x transport of a berth node: the wrapped one, with berth's handlers in every TCP connection's pipeline.
 * <ul>
 *   <li>What a connection has to write goes out once per event-loop pass, instead of once per message. Vert.x flushes
 *   a write at once unless it happens while that same connection is being read; the event bus always writes to a
 *   connection other than the one it reads (a request read from HTTP goes out on the bus, a message read from one
 *   node's connection is answered on another), so every message cost its own {@code write(2)} and TCP segment. Netty's
 *   {@link FlushConsolidationHandler}, ahead of Vert.x's handlers (and on a TLS connection behind the TLS handler),
 *   defers those flushes to the end of the current pass, so that one multiplexed event-bus connection carries many
 *   messages per syscall, and per TLS record. Every connection flushes before it closes.</li>
 *   <li>A TLS server answers an HTTP request sent without TLS with a 400 that says so ({@link PlainRequestOnTls}).</li>
 * </ul>
 * Everything else is the wrapped transport's.
 */
public final class BerthTransport implements io.vertx.core.transport.Transport {

  /** The consolidation handler's name in a connection's pipeline. */
  private static final String CONSOLIDATION = "berth.flushConsolidation";

  private final io.vertx.core.transport.Transport base;
  private final Transport implementation;

  private BerthTransport(io.vertx.core.transport.Transport base) {
    this.base = base;
    this.implementation = new Coalescing(base.implementation());
  }

  /** The given transport, for example {@link io.vertx.core.transport.Transport#NIO}, with berth's handlers. */
  public static BerthTransport over(io.vertx.core.transport.Transport base) {
    return new BerthTransport(base);
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public boolean available() {
    return base.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return base.unavailabilityCause();
  }

  @Override
  public Transport implementation() {
    return implementation;
  }

  /**
   * One consolidation handler per connection, since it holds that connection's pending flushes; behind it, the flush
   * before a close; ahead of it, the arrangement around TLS.
   */
  private static <C extends Channel> C coalescing(C channel) {
    channel.pipeline().addFirst(FlushBeforeClose.INSTANCE);
    channel.pipeline().addFirst(CONSOLIDATION, consolidation());
    channel.pipeline().addFirst(AroundTls.INSTANCE);
    return channel;
  }

  /** Consolidates also outside reads ({@code true}): the event bus writes to connections it is not reading. */
  private static FlushConsolidationHandler consolidation() {
    return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
  }

  /**
   * On a TLS connection, once it is active (Vert.x adds its TLS handler when it sets the connection up): moves the
   * consolidation behind the TLS handler, so that TLS seals what one pass wrote in one record (up to 16 KB each)
   * instead of one record per message, fewer records to seal and for the peer to open; and on a connection a server
   * accepted, puts {@link PlainRequestOnTls} ahead of it. A connection without TLS keeps its handlers as they are.
   */
  @ChannelHandler.Sharable
  private static final class AroundTls extends ChannelInboundHandlerAdapter {

    private static final AroundTls INSTANCE = new AroundTls();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ChannelPipeline pipeline = ctx.pipeline();
      ChannelHandlerContext tls = pipeline.context(SslHandler.class);
      if (tls != null) {
        pipeline.remove(CONSOLIDATION);
        pipeline.addAfter(tls.name(), CONSOLIDATION, consolidation());
        if (ctx.channel().parent() != null) {
          pipeline.addBefore(tls.name(), null, PlainRequestOnTls.INSTANCE);
        }
      }
      pipeline.remove(this);
      ctx.fireChannelActive();
    }
  }

  /**
   * Flushes what was written before the connection closes. Vert.x writes an answer during a read without flushing,
   * until the read ends; when it then closes the connection at once, as it does after a malformed request body,
   * Netty would drop that answer, the 400 a client should get.
   */
  @ChannelHandler.Sharable
  private static final class FlushBeforeClose extends ChannelOutboundHandlerAdapter {

    private static final FlushBeforeClose INSTANCE = new FlushBeforeClose();

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      ctx.flush();
      ctx.close(promise);
    }
  }

  /** Adds the handlers to each connection a server accepts, before Vert.x sets up its own handlers behind them. */
  @ChannelHandler.Sharable
  private static final class AcceptedConnections extends ChannelInboundHandlerAdapter {

    private static final AcceptedConnections INSTANCE = new AcceptedConnections();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
      coalescing((Channel) accepted);
      ctx.fireChannelRead(accepted);
    }
  }

  private static final class Coalescing implements Transport {

    private final Transport delegate;

    Coalescing(Transport delegate) {
      this.delegate = delegate;
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      ChannelFactory<? extends Channel> channels = delegate.channelFactory(domainSocket);
      return () -> coalescing(channels.newChannel());
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      ChannelFactory<? extends ServerChannel> servers = delegate.serverChannelFactory(domainSocket);
      return () -> {
        ServerChannel server = servers.newChannel();
        server.pipeline().addFirst(AcceptedConnections.INSTANCE);
        return server;
      };
    }

    @Override
    public boolean supportsDomainSockets() {
      return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return delegate.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return delegate.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
      return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return delegate.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return delegate.datagramChannel(family);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      delegate.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      delegate.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      delegate.configure(options, domainSocket, bootstrap);
    }
  }
}
