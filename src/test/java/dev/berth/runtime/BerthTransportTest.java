package dev.berth.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.transport.Transport;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLHandshakeException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real TCP connections on loopback between two Vert.x instances: what a connection writes in one event-loop pass
 * leaves the process in one flush, in both directions, and over TLS in one record; a lone write still goes out at once;
 * a TLS server answers a request in plain HTTP.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BerthTransportTest {

  private static final int MESSAGES = 100;
  private static final Buffer MESSAGE = Buffer.buffer("0123456789");
  /** A TLS record's type, version and length, ahead of its bytes. */
  private static final int TLS_RECORD_HEADER = 5;
  /** What stands for the handler Vert.x names "handler" in {@link #handlersOf}. */
  private static final String VERTX_HANDLER = "Vert.x's handler";

  private Vertx vertx;
  /** Held for the test's length: Vert.x closes a client, and its connections, once nothing references it. */
  private NetClient netClient;
  private Promise<NetSocket> accepted;
  private final AtomicInteger bytesAtServer = new AtomicInteger();
  private final AtomicInteger bytesAtClient = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName("a hundred writes of one pass leave the client in one flush, and the server's answers in one too")
  void coalescesBothDirections() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO));
    NetSocket server = await(accepted.future());

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(1);
    assertThat(flushesOfOnePass(server, bytesAtClient)).isEqualTo(1);
  }

  @Test
  @DisplayName("over io_uring as over NIO: a hundred writes of one pass leave the client in one flush")
  void coalescesOverIoUring() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.IO_URING));

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(1);
  }

  @Test
  @DisplayName("control: the plain NIO transport flushes every one of the hundred writes")
  void plainTransportFlushesEachWrite() throws Exception {
    NetSocket client = connect(Transport.NIO);

    assertThat(flushesOfOnePass(client, bytesAtServer)).isEqualTo(MESSAGES);
  }

  @Test
  @DisplayName("over TLS, a hundred writes of one pass are sealed in one TLS record")
  void tlsSealsOnePassInOneRecord() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO), true);

    assertThat(recordsOfOnePass(client)).isEqualTo(1);
  }

  @Test
  @DisplayName("a TLS connection whose peer the check refuses is closed once its handshake succeeded: the connect fails"
    + " with the check's reason")
  void refusedPeerClosed() {
    ChangingCheck refusingTheServer = new ChangingCheck();
    refusingTheServer.refuse("refused");

    assertThatThrownBy(() -> connect(BerthTransport.over(Transport.NIO, refusingTheServer), true))
      .hasRootCauseInstanceOf(SSLHandshakeException.class)
      .hasRootCauseMessage("refused CN=localhost");
  }

  @Test
  @DisplayName("a TLS connection whose peer the check lets through is used as before")
  void acceptedPeerKept() throws Exception {
    ChangingCheck check = new ChangingCheck();
    NetSocket client = connect(BerthTransport.over(Transport.NIO, check), true);

    assertThat(check.judged).containsExactly("CN=localhost");
    assertThat(recordsOfOnePass(client)).isEqualTo(1);
  }

  @Test
  @DisplayName("a TLS peer refused after its connection was made is judged again at the next read: what it sent then is"
    + " dropped, and the connection closed")
  void peerRefusedLaterClosedAtNextRead() throws Exception {
    ChangingCheck check = new ChangingCheck();
    NetSocket client = connect(BerthTransport.over(Transport.NIO, check), true);
    NetSocket server = await(accepted.future());
    Promise<Void> closed = Promise.promise();
    client.closeHandler(ignored -> closed.tryComplete());
    await(server.write(MESSAGE));
    Poll.until("the first message at the client", Duration.ofSeconds(5), bytesAtClient::get,
      bytes -> bytes == MESSAGE.length());
    assertThat(check.judged).as("judged at the handshake only, while the check did not change").hasSize(1);

    check.refuse("revoked since");
    server.write(MESSAGE);
    await(closed.future());

    assertThat(bytesAtClient.get()).isEqualTo(MESSAGE.length());
    assertThat(check.judged).hasSize(2);
  }

  @Test
  @DisplayName("control: TLS on the plain NIO transport seals each of the hundred writes in a record of its own")
  void plainTransportSealsEachWrite() throws Exception {
    NetSocket client = connect(Transport.NIO, true);

    assertThat(recordsOfOnePass(client)).isEqualTo(MESSAGES);
  }

  @Test
  @DisplayName("a single write is sent without waiting for more traffic")
  void loneWriteGoesOut() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO));

    await(client.write(MESSAGE));
    Poll.until("the message at the server", Duration.ofSeconds(2), bytesAtServer::get,
      bytes -> bytes == MESSAGE.length());
  }

  @Test
  @DisplayName("the consolidation handler is ahead of Vert.x's own in the pipeline of every connection, client and"
    + " server, and on a TLS connection behind the TLS handler")
  void placedInEveryPipeline() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO));
    List<Object> clientHandlers = handlersOf(client);
    List<Object> serverHandlers = handlersOf(await(accepted.future()));
    await(vertx.close());
    NetSocket tlsClient = connect(BerthTransport.over(Transport.NIO), true);
    List<Object> tlsServerHandlers = handlersOf(await(accepted.future()));

    assertThat(clientHandlers).containsSubsequence(FlushConsolidationHandler.class, VERTX_HANDLER);
    assertThat(serverHandlers).containsSubsequence(FlushConsolidationHandler.class, VERTX_HANDLER);
    assertThat(handlersOf(tlsClient))
      .containsSubsequence(SslHandler.class, FlushConsolidationHandler.class, VERTX_HANDLER);
    assertThat(tlsServerHandlers)
      .containsSubsequence(SslHandler.class, FlushConsolidationHandler.class, VERTX_HANDLER);
  }

  @Test
  @DisplayName("what a connection wrote without flushing still reaches the peer when the connection closes at once,"
    + " as Vert.x does after a malformed request body")
  void writeThenCloseArrives() throws Exception {
    connect(BerthTransport.over(Transport.NIO));
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

  @Test
  @DisplayName("a request in plain HTTP to a TLS server gets a 400 in berth's error shape that says the port speaks"
    + " TLS, and the connection closes; it never reaches the server's handler")
  void plainRequestToTlsServerIsAnswered() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO), true, false);
    Buffer answer = Buffer.buffer();
    Promise<Void> closed = Promise.promise();
    client.handler(answer::appendBuffer).closeHandler(done -> closed.complete());

    await(client.write("GET /apple?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    await(closed.future());
    String[] headAndBody = answer.toString().split("\r\n\r\n", 2);
    assertThat(headAndBody[0]).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("content-type: application/json");
    assertThat(new JsonObject(headAndBody[1])).isEqualTo(new JsonObject().put("status", 400)
      .put("error", PlainRequestOnTls.ERROR).put("path", "/apple?x=1"));
    assertThat(bytesAtServer.get()).isZero();
  }

  @Test
  @DisplayName("a server without TLS gets a request in plain HTTP as it was sent")
  void plainRequestToPlainServerPasses() throws Exception {
    NetSocket client = connect(BerthTransport.over(Transport.NIO));
    Buffer request = Buffer.buffer("GET /apple HTTP/1.1\r\nHost: localhost\r\n\r\n");

    await(client.write(request));
    Poll.until("the request at the server", Duration.ofSeconds(2), bytesAtServer::get,
      bytes -> bytes == request.length());
    assertThat(bytesAtClient.get()).isZero();
  }

  /** A check that lets every peer through until told to refuse them, with a reason followed by their subject. */
  private static final class ChangingCheck implements PeerCheck {

    private final List<String> judged = new CopyOnWriteArrayList<>();
    private volatile String refusal;
    private volatile long version;

    void refuse(String reason) {
      refusal = reason;
      version++;
    }

    @Override
    public Optional<String> refusal(X509Certificate certificate) {
      judged.add(certificate.getSubjectX500Principal().getName());
      String reason = refusal;
      return reason == null ? Optional.empty()
        : Optional.of(reason + " " + certificate.getSubjectX500Principal().getName());
    }

    @Override
    public long version() {
      return version;
    }
  }

  private NetSocket connect(Transport transport) throws Exception {
    return connect(transport, false);
  }

  private NetSocket connect(Transport transport, boolean tls) throws Exception {
    return connect(transport, tls, tls);
  }

  /**
   * A Vert.x on {@code transport} with a server and a client connected to it, each with TLS as berth's event bus has
   * it or without.
   */
  private NetSocket connect(Transport transport, boolean serverTls, boolean clientTls) throws Exception {
    vertx = Vertx.builder().withTransport(transport).build();
    accepted = Promise.promise();
    NetServerOptions serverOptions = new NetServerOptions();
    NetClientOptions clientOptions = new NetClientOptions();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    if (serverTls) {
      serverOptions.setSsl(true).setKeyCertOptions(certificate.keyCertOptions())
        .setSslEngineOptions(new OpenSSLEngineOptions());
    }
    if (clientTls) {
      clientOptions.setSsl(true).setTrustOptions(certificate.trustOptions()).setHostnameVerificationAlgorithm("")
        .setSslEngineOptions(new OpenSSLEngineOptions());
    }
    NetServer server = vertx.createNetServer(serverOptions).connectHandler(socket -> {
      socket.handler(received -> bytesAtServer.addAndGet(received.length()));
      accepted.tryComplete(socket);
    });
    await(server.listen(0, "127.0.0.1"));
    netClient = vertx.createNetClient(clientOptions);
    NetSocket client = await(netClient.connect(server.actualPort(), "127.0.0.1"));
    client.handler(received -> bytesAtClient.addAndGet(received.length()));
    return client;
  }

  /** The flushes that reached the socket while it wrote {@link #MESSAGES} messages in one pass. */
  private static int flushesOfOnePass(NetSocket socket, AtomicInteger bytesAtPeer) throws Exception {
    AtomicInteger flushes = new AtomicInteger();
    writeOnePass(socket, bytesAtPeer, new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
    return flushes.get();
  }

  /** The TLS records the client's socket sent while it wrote {@link #MESSAGES} messages in one pass. */
  private int recordsOfOnePass(NetSocket client) throws Exception {
    ByteBuf sent = Unpooled.buffer();
    writeOnePass(client, bytesAtServer, new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        ByteBuf bytes = (ByteBuf) message;
        sent.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
        ctx.write(message, promise);
      }
    });
    int records = 0;
    for (int at = 0; at < sent.writerIndex(); at += TLS_RECORD_HEADER + sent.getUnsignedShort(at + 3)) {
      records++;
    }
    return records;
  }

  /**
   * Writes {@link #MESSAGES} messages in one task of the socket's event loop, with {@code probe} first in its pipeline,
   * and waits until the peer has them all.
   */
  private static void writeOnePass(NetSocket socket, AtomicInteger bytesAtPeer, ChannelOutboundHandlerAdapter probe) {
    pipeline(socket).addFirst(probe);
    int before = bytesAtPeer.get();
    ((NetSocketInternal) socket).channelHandlerContext().executor().execute(() -> {
      for (int i = 0; i < MESSAGES; i++) {
        socket.write(MESSAGE);
      }
    });
    Poll.until("every message at the peer", Duration.ofSeconds(5), bytesAtPeer::get,
      bytes -> bytes == before + MESSAGES * MESSAGE.length());
  }

  /** Netty's write without a flush, then a close, from Vert.x's handler, in one event-loop task. */
  private static void writeUnflushedThenClose(NetSocket socket) {
    ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
    context.executor().execute(() -> {
      context.write(Unpooled.wrappedBuffer(MESSAGE.getBytes()));
      context.close();
    });
  }

  /** The classes of the socket's handlers in pipeline order, Vert.x's own as {@link #VERTX_HANDLER}. */
  private static List<Object> handlersOf(NetSocket socket) {
    ChannelPipeline pipeline = pipeline(socket);
    return pipeline.names().stream().filter(name -> pipeline.get(name) != null)
      .<Object>map(name -> name.equals("handler") ? VERTX_HANDLER : pipeline.get(name).getClass()).toList();
  }

  private static ChannelPipeline pipeline(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().pipeline();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
