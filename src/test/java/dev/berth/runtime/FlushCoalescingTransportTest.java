package dev.berth.runtime;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.transport.Transport;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real TCP connections on loopback between two Vert.x instances: what a connection writes in one event-loop pass
 * leaves the process in one flush, in both directions, and a lone write still goes out at once.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FlushCoalescingTransportTest {

  private static final int MESSAGES = 100;
  private static final Buffer MESSAGE = Buffer.buffer("0123456789");

  private Vertx vertx;
  private final Promise<NetSocket> accepted = Promise.promise();
  private final AtomicInteger bytesAtServer = new AtomicInteger();
  private final AtomicInteger bytesAtClient = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName("a hundred writes of one pass leave the client in one flush, and the server's answers in one too")
  void coalescesBothDirections() throws Exception {
    NetSocket client = connect(FlushCoalescingTransport.over(Transport.NIO));
    NetSocket server = await(accepted.future());

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(1);
    assertThat(flushesOfOnePass(server, bytesAtClient)).isEqualTo(1);
  }

  @Test
  @DisplayName("over io_uring as over NIO: a hundred writes of one pass leave the client in one flush")
  void coalescesOverIoUring() throws Exception {
    NetSocket client = connect(FlushCoalescingTransport.over(Transport.IO_URING));

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(1);
  }

  @Test
  @DisplayName("control: the plain NIO transport flushes every one of the hundred writes")
  void plainTransportFlushesEachWrite() throws Exception {
    NetSocket client = connect(Transport.NIO);

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(MESSAGES);
  }

  @Test
  @DisplayName("a single write is sent without waiting for more traffic")
  void loneWriteGoesOut() throws Exception {
    NetSocket client = connect(FlushCoalescingTransport.over(Transport.NIO));

    await(client.write(MESSAGE));
    Poll.until("the message at the server", Duration.ofSeconds(2), bytesAtServer::get,
      bytes -> bytes == MESSAGE.length());
  }

  @Test
  @DisplayName("the consolidation handler comes first in the pipeline of every connection, client and server")
  void firstInEveryPipeline() throws Exception {
    NetSocket client = connect(FlushCoalescingTransport.over(Transport.NIO));
    NetSocket server = await(accepted.future());

    assertThat(pipeline(client).first()).isInstanceOf(FlushConsolidationHandler.class);
    assertThat(pipeline(server).first()).isInstanceOf(FlushConsolidationHandler.class);
  }

  @Test
  @DisplayName("what a connection wrote without flushing still reaches the peer when the connection closes at once,"
    + " as Vert.x does after a malformed request body")
  void writeThenCloseArrives() throws Exception {
    connect(FlushCoalescingTransport.over(Transport.NIO));
    NetSocket server = await(accepted.future());

    writeUnflushedThenClose(server);
    Poll.until("the message at the client", Duration.ofSeconds(2), bytesAtClient::get,
      bytes -> bytes == MESSAGE.length());
  }

  @Test
  @DisplayName("control: on the plain NIO transport the unflushed write is dropped by the close")
  void plainTransportDropsUnflushedWrite() throws Exception {
    connect(Transport.NIO);
    NetSocket server = await(accepted.future());
    Promise<Void> closed = Promise.promise();
    ((NetSocketInternal) server).channelHandlerContext().channel().closeFuture().addListener(done -> closed.complete());

    writeUnflushedThenClose(server);
    await(closed.future());
    await(vertx.timer(200, TimeUnit.MILLISECONDS));
    assertThat(bytesAtClient.get()).isZero();
  }

  /** A Vert.x on {@code transport} with a server and a client connected to it. */
  private NetSocket connect(Transport transport) throws Exception {
    vertx = Vertx.builder().withTransport(transport).build();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      socket.handler(received -> bytesAtServer.addAndGet(received.length()));
      accepted.tryComplete(socket);
    });
    await(server.listen(0, "127.0.0.1"));
    NetSocket client = await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
    client.handler(received -> bytesAtClient.addAndGet(received.length()));
    return client;
  }

  /** Writes {@link #MESSAGES} messages in one task of the socket's event loop; the flushes that reached the socket. */
  private static int flushesOfOnePass(NetSocket socket, AtomicInteger bytesAtPeer) throws Exception {
    AtomicInteger flushes = new AtomicInteger();
    pipeline(socket).addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
    int before = bytesAtPeer.get();
    ((NetSocketInternal) socket).channelHandlerContext().executor().execute(() -> {
      for (int i = 0; i < MESSAGES; i++) {
        socket.write(MESSAGE);
      }
    });
    Poll.until("every message at the peer", Duration.ofSeconds(5), bytesAtPeer::get,
      bytes -> bytes == before + MESSAGES * MESSAGE.length());
    return flushes.get();
  }

  /** Netty's write without a flush, then a close, from Vert.x's handler, in one event-loop task. */
  private static void writeUnflushedThenClose(NetSocket socket) {
    ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
    context.executor().execute(() -> {
      context.write(Unpooled.wrappedBuffer(MESSAGE.getBytes()));
      context.close();
    });
  }

  private static ChannelPipeline pipeline(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().pipeline();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
