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
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>A TLS connection whose peer a {@link PeerCheck} refuses is closed once its handshake succeeded, before Vert.x
 *   uses it (the handshake ends as failed for Vert.x, which then reports the reason), or, refused later, at its next
 *   read.</li>
 * </ul>
 * Everything else is the wrapped transport's.
 */
public final class BerthTransport implements io.vertx.core.transport.Transport {

  /** The consolidation handler's name in a connection's pipeline. */
  private static final String CONSOLIDATION = "berth.flushConsolidation";

  private static final Logger log = LoggerFactory.getLogger(BerthTransport.class);

  private final io.vertx.core.transport.Transport base;
  private final Transport implementation;

  private BerthTransport(io.vertx.core.transport.Transport base, PeerCheck peers) {
    this.base = base;
    this.implementation = new Coalescing(base.implementation(), new AroundTls(peers));
  }

  /** The given transport, for example {@link io.vertx.core.transport.Transport#NIO}, with berth's handlers. */
  public static BerthTransport over(io.vertx.core.transport.Transport base) {
    return over(base, PeerCheck.NONE);
  }

  /** As {@link #over(io.vertx.core.transport.Transport)}, closing the TLS connections of peers {@code peers} refuses. */
  public static BerthTransport over(io.vertx.core.transport.Transport base, PeerCheck peers) {
    return new BerthTransport(base, peers);
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
  private static <C extends Channel> C coalescing(C channel, AroundTls aroundTls) {
    channel.pipeline().addFirst(FlushBeforeClose.INSTANCE);
    channel.pipeline().addFirst(CONSOLIDATION, consolidation());
    channel.pipeline().addFirst(aroundTls);
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
   * accepted, puts {@link PlainRequestOnTls} ahead of it; and, with a {@link PeerCheck}, the check of the peer's
   * certificate right behind it. A connection without TLS keeps its handlers as they are.
   */
  @ChannelHandler.Sharable
  private static final class AroundTls extends ChannelInboundHandlerAdapter {

    private final PeerCheck peers;

    AroundTls(PeerCheck peers) {
      this.peers = peers;
    }

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
        if (peers != PeerCheck.NONE) {
          pipeline.addAfter(tls.name(), null, new CheckedPeer(peers));
        }
      }
      pipeline.remove(this);
      ctx.fireChannelActive();
    }
  }

  /**
   * Judges the peer's certificate once the handshake succeeded: a refused peer's connection is closed, and the handlers
   * behind see a failed handshake instead, so that nothing is sent on it. Then judges it again at the first read after
   * the check changed, so that a peer refused since sends nothing more: what it sent is dropped, the connection closed.
   * Each refusal is logged once.
   */
  private static final class CheckedPeer extends ChannelInboundHandlerAdapter {

    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final PeerCheck peers;
    /** The peer's certificate once the handshake succeeded; null before, and for a peer that showed none. */
    private X509Certificate peer;
    private long judgedVersion;

    CheckedPeer(PeerCheck peers) {
      this.peers = peers;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (!(event instanceof SslHandshakeCompletionEvent handshake) || !handshake.isSuccess()) {
        ctx.fireUserEventTriggered(event);
        return;
      }
      peer = peerOf(ctx);
      Optional<String> refusal = judge();
      if (refusal.isEmpty()) {
        ctx.fireUserEventTriggered(event);
        return;
      }
      ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(new SSLHandshakeException(refusal.get())));
      close(ctx, refusal.get());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (peer == null || peers.version() == judgedVersion) {
        ctx.fireChannelRead(message);
        return;
      }
      Optional<String> refusal = judge();
      if (refusal.isEmpty()) {
        ctx.fireChannelRead(message);
        return;
      }
      ReferenceCountUtil.release(message);
      close(ctx, refusal.get());
    }

    private Optional<String> judge() {
      judgedVersion = peers.version();
      return peer == null ? Optional.empty() : peers.refusal(peer);
    }

    private static void close(ChannelHandlerContext ctx, String refusal) {
      if (LOGGED.add(refusal)) {
        log.warn("closed a TLS connection with {}: {}", ctx.channel().remoteAddress(), refusal);
      }
      ctx.close();
    }

    private static X509Certificate peerOf(ChannelHandlerContext ctx) {
      try {
        Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
        return chain.length > 0 && chain[0] instanceof X509Certificate certificate ? certificate : null;
      } catch (SSLPeerUnverifiedException anonymous) {
        return null;
      }
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

    private final AroundTls aroundTls;

    AcceptedConnections(AroundTls aroundTls) {
      this.aroundTls = aroundTls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
      coalescing((Channel) accepted, aroundTls);
      ctx.fireChannelRead(accepted);
    }
  }

  private static final class Coalescing implements Transport {

    private final Transport delegate;
    private final AroundTls aroundTls;
    private final AcceptedConnections accepted;

    Coalescing(Transport delegate, AroundTls aroundTls) {
      this.delegate = delegate;
      this.aroundTls = aroundTls;
      this.accepted = new AcceptedConnections(aroundTls);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      ChannelFactory<? extends Channel> channels = delegate.channelFactory(domainSocket);
      return () -> coalescing(channels.newChannel(), aroundTls);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      ChannelFactory<? extends ServerChannel> servers = delegate.serverChannelFactory(domainSocket);
      return () -> {
        ServerChannel server = servers.newChannel();
        server.pipeline().addFirst(accepted);
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
