package dev.berth.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The handshake between two members over real loopback sockets, and what strangers get from a member's port: a peer
 * with the cluster's credential gets through either way, anyone else is refused before a byte reaches Hazelcast, with
 * the reason on both sides; a handshake recorded once cannot be replayed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemberHandshakeTest {

  private static final String CLUSTER = "prod";

  @TempDir
  private static Path certificates;
  private JoinCredential member;
  private JoinCredential otherMember;
  private JoinCredential foreign;
  private final List<String> refusedByPeer = new CopyOnWriteArrayList<>();
  private ServerSocket server;

  @BeforeAll
  void makeCertificates() throws Exception {
    new ClusterCertificates(certificates).make(List.of("a", "b"));
    new ClusterCertificates(certificates.resolve("other")).make(List.of("foreign"));
    member = NodeCredentials.of(certificates, "a");
    otherMember = NodeCredentials.of(certificates, "b");
    foreign = NodeCredentials.of(certificates.resolve("other"), "foreign");
  }

  @AfterEach
  void close() throws IOException {
    if (server != null) {
      server.close();
    }
    refusedByPeer.clear();
  }

  @Test
  @DisplayName("two members of the cluster: both sides get through")
  void members() throws Exception {
    CompletableFuture<Void> accepted = accept(member);
    try (Socket socket = connect()) {
      handshake(otherMember).onConnect(socket);
    }
    accepted.get(10, TimeUnit.SECONDS);
    assertThat(refusedByPeer).isEmpty();
  }

  @Test
  @DisplayName("a node with another authority's certificate: the member refuses it and tells it why")
  void otherAuthority() throws Exception {
    CompletableFuture<Void> accepted = accept(member);
    try (Socket socket = connect()) {
      assertThatThrownBy(() -> handshake(foreign).onConnect(socket)).isInstanceOf(IOException.class)
        .hasMessageEndingWith(", a member of cluster 'prod', refused this node: its certificate (CN=foreign) is not"
          + " from this cluster's authority");
    }
    assertThat(acceptFailure(accepted)).hasMessage("refused: its certificate (CN=foreign) is not from this cluster's"
      + " authority");
    assertThat(refusedByPeer).singleElement().asString().contains("refused this node");
  }

  @Test
  @DisplayName("a member that connects to a port whose owner greets like a member but cannot prove it belongs gives up"
    + " on it, telling why")
  void impostorAccepting() throws Exception {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    CompletableFuture<Void> impostor = CompletableFuture.runAsync(() -> {
      try (Socket socket = server.accept()) {
        byte[] greeting = new byte[MemberHandshake.GREETING_BYTES];
        System.arraycopy(MemberHandshake.MAGIC, 0, greeting, 0, MemberHandshake.MAGIC.length);
        greeting[MemberHandshake.MAGIC.length] = MemberHandshake.VERSION;
        greeting[MemberHandshake.MAGIC.length + 1] = 'T';
        socket.getOutputStream().write(greeting);
        byte[] length = socket.getInputStream().readNBytes(2);
        socket.getInputStream().readNBytes((length[0] & 0xff) << 8 | length[1] & 0xff);
        JoinCredential.Signed signed = foreign.sign("anything");
        byte[] answer = new io.vertx.core.json.JsonObject().put("signature", signed.signature())
          .put("certificate", signed.certificatePem()).encode().getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(new byte[] {(byte) (answer.length >>> 8), (byte) answer.length});
        socket.getOutputStream().write(answer);
        socket.getInputStream().readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try (Socket socket = connect()) {
      assertThatThrownBy(() -> handshake(member).onConnect(socket)).isInstanceOf(IOException.class)
        .hasMessageEndingWith(" did not prove that it belongs to cluster 'prod': its certificate (CN=foreign) is not"
          + " from this cluster's authority");
    }
    impostor.get(10, TimeUnit.SECONDS);
    assertThat(refusedByPeer).singleElement().asString().contains("did not prove that it belongs");
  }

  @Test
  @DisplayName("a node proving itself with a join secret meets a TLS cluster: told so before it signs anything")
  void otherKind() throws Exception {
    CompletableFuture<Void> accepted = accept(member);
    try (Socket socket = connect()) {
      assertThatThrownBy(() -> handshake(JoinCredential.ofSecret("0123456789abcdef")).onConnect(socket))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith("'s cluster proves its members with cluster.tls, this node with cluster.joinSecret");
    }
    acceptFailure(accepted);
  }

  @Test
  @DisplayName("a connecting side's proof recorded from one handshake is refused on the next: it signed another nonce")
  void replayRefused() throws Exception {
    CompletableFuture<Void> first = accept(member);
    ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    try (Socket socket = connect()) {
      handshake(otherMember).onConnect(new RecordingSocket(socket, recorded));
    }
    first.get(10, TimeUnit.SECONDS);

    CompletableFuture<Void> second = accept(member);
    try (Socket replayer = connect()) {
      replayer.getInputStream().readNBytes(MemberHandshake.GREETING_BYTES);
      replayer.getOutputStream().write(recorded.toByteArray());
      assertThat(new String(replayer.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("{\"refused\":\"its signature does not verify with its certificate\"}");
    }
    assertThat(acceptFailure(second)).hasMessage("refused: its signature does not verify with its certificate");
  }

  @Test
  @DisplayName("bytes that are not berth's handshake: an HTTP request, Hazelcast's client and member protocols")
  void strangers() throws Exception {
    for (String[] stranger : List.of(
      new String[] {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "it does not speak berth's member handshake (it began with \"GE\")"},
      new String[] {"CP2\u0001", "it speaks Hazelcast's client protocol, and berth members accept no clients"},
      new String[] {"HZC\u0000\u0000\u0000\u0010", "it speaks Hazelcast's member protocol without berth's member"
        + " handshake (a plain Hazelcast or Vert.x member, or a berth node without this cluster's cluster.tls)"})) {
      CompletableFuture<Void> accepted = accept(member);
      try (Socket socket = connect()) {
        socket.getOutputStream().write(stranger[0].getBytes(StandardCharsets.ISO_8859_1));
        assertThat(acceptFailure(accepted)).as(stranger[0]).hasMessage(stranger[1]);
        assertThat(socket.getInputStream().readNBytes(MemberHandshake.GREETING_BYTES + 1)).as("only the greeting")
          .hasSize(MemberHandshake.GREETING_BYTES);
      }
      server.close();
    }
  }

  @Test
  @DisplayName("a connection that says nothing is closed once the handshake's bound has passed")
  void silentConnection() throws Exception {
    CompletableFuture<Void> accepted = accept(member);
    try (Socket socket = connect()) {
      assertThat(acceptFailure(accepted)).hasMessage("it did not complete berth's member handshake within "
        + MemberHandshake.TIMEOUT_MS + " ms");
    }
  }

  @Test
  @DisplayName("a connection closed before it says anything (a port scan, a health check, berth's seed check) is a"
    + " probe; a stock Hazelcast member, which closes once it has read the greeting, is not")
  void probes() throws Exception {
    CompletableFuture<Void> accepted = accept(member);
    connect().close();
    assertThat(acceptFailure(accepted)).isInstanceOf(MemberHandshake.Probe.class);

    accepted = accept(member);
    try (Socket socket = connect()) {
      socket.getOutputStream().write("HZC".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(acceptFailure(accepted)).isNotInstanceOf(MemberHandshake.Probe.class)
      .hasMessageStartingWith("it speaks Hazelcast's member protocol without berth's member handshake");
  }

  private MemberHandshake handshake(JoinCredential credential) {
    return new MemberHandshake(new JoinGate(CLUSTER, credential), refusedByPeer::add);
  }

  /** Accepts one connection on a new port and runs the accepting side of the handshake on it. */
  private CompletableFuture<Void> accept(JoinCredential credential) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    ServerSocket listening = server;
    return CompletableFuture.runAsync(() -> {
      try (Socket socket = listening.accept()) {
        handshake(credential).onAccept(socket);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private Socket connect() throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private static IOException acceptFailure(CompletableFuture<Void> accepted) {
    Throwable failure = accepted.handle((done, thrown) -> thrown).join();
    assertThat(failure).as("the accepting side refused").isNotNull();
    return ((java.io.UncheckedIOException) failure.getCause()).getCause();
  }

  /** A socket that also keeps what its owner writes to it, to replay it later. */
  private static final class RecordingSocket extends Socket {

    private final Socket socket;
    private final OutputStream recording;

    RecordingSocket(Socket socket, ByteArrayOutputStream recorded) throws IOException {
      this.socket = socket;
      this.recording = new FilterOutputStream(socket.getOutputStream()) {
        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          recorded.write(bytes, offset, length);
          out.write(bytes, offset, length);
        }
      };
    }

    @Override
    public java.io.InputStream getInputStream() throws IOException {
      return socket.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() {
      return recording;
    }

    @Override
    public InetAddress getInetAddress() {
      return socket.getInetAddress();
    }

    @Override
    public int getPort() {
      return socket.getPort();
    }

    @Override
    public void setSoTimeout(int timeout) throws java.net.SocketException {
      socket.setSoTimeout(timeout);
    }
  }
}
