package dev.berth.cluster;

import com.hazelcast.nio.MemberSocketInterceptor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * berth's handshake on each Hazelcast member connection of a TLS or join-secret cluster, before Hazelcast reads or
 * writes a byte of it. The accepting side greets with {@link #MAGIC}, the kind of credential its members prove
 * themselves with and a fresh nonce; the connecting side answers with a nonce of its own and its signature over both
 * nonces, the cluster's name and its role; the accepting side checks it, then answers with its own signature over the
 * same, or with why it refuses. Each side signs the other's fresh nonce, so that a recorded handshake cannot be
 * replayed. No byte of a peer that did not prove it belongs reaches Hazelcast: not a Hazelcast client's, not a plain
 * member's, not random ones. A handshake takes at most {@link #TIMEOUT_MS} in all.
 *
 * <p>A connection closed before it sent anything (a port scan, a health check, berth's seed check) is a probe: it is
 * counted but not logged.
 */
final class MemberHandshake implements MemberSocketInterceptor {

  static final byte[] MAGIC = "BRTH".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int NONCE_BYTES = 32;
  static final int GREETING_BYTES = MAGIC.length + 2 + NONCE_BYTES;
  static final int TIMEOUT_MS = 2_000;
  static final int MAX_FRAME_BYTES = 16 * 1024;
  /** What any Hazelcast member or client writes first: "HZC" for members, "CP2" for clients. */
  private static final byte[] MEMBER_PROTOCOL = "HZC".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT_PROTOCOL = "CP2".getBytes(StandardCharsets.US_ASCII);
  private static final String CONNECTOR = "connects";
  private static final String ACCEPTOR = "accepts";

  private final JoinGate gate;
  private final Refusals refusals;
  private final Consumer<String> refusedByPeer;
  private final SecureRandom random = new SecureRandom();

  /** A peer that is not to be told why: it closed, or did not speak berth's handshake. */
  static final class Probe extends IOException {
    Probe(String message) {
      super(message);
    }
  }

  /**
   * @param refusedByPeer told, when a peer this node connects to refuses it or does not prove that it belongs, what
   *                      happened, in a sentence that names the peer
   */
  MemberHandshake(JoinGate gate, Consumer<String> refusedByPeer) {
    this.gate = gate;
    this.refusals = gate.refusals();
    this.refusedByPeer = refusedByPeer;
  }

  @Override
  public void init(Properties properties) {
  }

  @Override
  public void onAccept(Socket socket) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    String source = socket.getInetAddress().getHostAddress();
    byte[] ours = nonce();
    OutputStream out = socket.getOutputStream();
    out.write(greeting(ours));
    out.flush();
    JsonObject proof;
    try {
      proof = readFrame(socket, deadline, true);
    } catch (Probe quiet) {
      refusals.probed();
      throw quiet;
    } catch (IOException unreadable) {
      refusals.refused(Refusals.Kind.CONNECTION, source, "refused a Hazelcast connection from " + source + ": " + unreadable.getMessage());
      throw unreadable;
    }
    byte[] theirs = nonceOf(proof);
    Optional<String> problem = theirs == null ? Optional.of("its handshake is malformed")
      : check(proof, transcript(CONNECTOR, ours, theirs));
    if (problem.isPresent()) {
      refusals.refused(Refusals.Kind.CONNECTION, source, "refused a Hazelcast connection from " + source + ": " + problem.get());
      tellRefused(out, problem.get());
      throw new IOException("refused: " + problem.get());
    }
    writeFrame(out, signed(transcript(ACCEPTOR, ours, theirs)));
    socket.setSoTimeout(0);
  }

  @Override
  public void onConnect(Socket socket) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    String peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    byte[] greeting;
    try {
      greeting = readExactly(socket, GREETING_BYTES, deadline);
    } catch (SocketTimeoutException silent) {
      throw new SocketTimeoutException(peer + " did not greet with berth's member handshake within " + TIMEOUT_MS
        + " ms (a member of a plain cluster, or frozen?)");
    }
    if (!Arrays.equals(greeting, 0, MAGIC.length, MAGIC, 0, MAGIC.length) || greeting[MAGIC.length] != VERSION) {
      throw refused(peer, peer + " is not a berth member's Hazelcast port: it greets with something other than berth's"
        + " member handshake");
    }
    JoinCredential.Kind kind = JoinCredential.Kind.ofLetter(greeting[MAGIC.length + 1]).orElse(null);
    if (kind != gate.credential().kind()) {
      throw refused(peer, peer + "'s cluster proves its members with " + (kind == null ? "something unknown"
        : kind.configKey()) + ", this node with " + gate.credential().kind().configKey());
    }
    byte[] theirs = Arrays.copyOfRange(greeting, MAGIC.length + 2, GREETING_BYTES);
    byte[] ours = nonce();
    writeFrame(socket.getOutputStream(), signed(transcript(CONNECTOR, theirs, ours))
      .put("nonce", Base64.getEncoder().encodeToString(ours)));
    JsonObject answer = readFrame(socket, deadline, false);
    if (answer.getValue("refused") instanceof String reason) {
      throw refused(peer, peer + ", a member of cluster '" + gate.clusterName() + "', refused this node: " + reason);
    }
    Optional<String> problem = check(answer, transcript(ACCEPTOR, theirs, ours));
    if (problem.isPresent()) {
      throw refused(peer, peer + " did not prove that it belongs to cluster '" + gate.clusterName() + "': " + problem.get());
    }
    socket.setSoTimeout(0);
  }

  private IOException refused(String peer, String why) {
    refusals.refused(Refusals.Kind.BY_PEER, peer, why);
    refusedByPeer.accept(why);
    return new IOException(why);
  }

  /** The connecting side's nonce, or null when its proof has none that fits. */
  private static byte[] nonceOf(JsonObject proof) {
    try {
      byte[] nonce = Base64.getDecoder().decode(proof.getString("nonce", ""));
      return nonce.length == NONCE_BYTES ? nonce : null;
    } catch (IllegalArgumentException | ClassCastException malformed) {
      return null;
    }
  }

  /** Whether {@code proof} signs {@code transcript} with this cluster's credential. */
  private Optional<String> check(JsonObject proof, String transcript) {
    if (!(proof.getValue("signature") instanceof String signature)) {
      return Optional.of("its handshake is malformed");
    }
    return gate.credential().check(transcript,
      new JoinCredential.Signed(signature, proof.getValue("certificate") instanceof String pem ? pem : ""));
  }

  private JsonObject signed(String transcript) {
    JoinCredential.Signed signed = gate.credential().sign(transcript);
    return new JsonObject().put("signature", signed.signature()).put("certificate", signed.certificatePem());
  }

  /** What each side signs: the cluster, both nonces (the accepting side's first) and the role of the signer. */
  private String transcript(String role, byte[] acceptorNonce, byte[] connectorNonce) {
    Base64.Encoder base64 = Base64.getEncoder();
    return String.join("\n", "berth member connection " + VERSION, gate.clusterName(),
      base64.encodeToString(acceptorNonce), base64.encodeToString(connectorNonce), role);
  }

  private byte[] greeting(byte[] nonce) {
    byte[] greeting = Arrays.copyOf(MAGIC, GREETING_BYTES);
    greeting[MAGIC.length] = VERSION;
    greeting[MAGIC.length + 1] = (byte) gate.credential().kind().letter();
    System.arraycopy(nonce, 0, greeting, MAGIC.length + 2, NONCE_BYTES);
    return greeting;
  }

  private byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return nonce;
  }

  /** Tells a peer that speaks berth's handshake why it is refused, if it is still there to hear it. */
  private static void tellRefused(OutputStream out, String reason) {
    try {
      writeFrame(out, new JsonObject().put("refused", reason));
    } catch (IOException gone) {
      // It closed first: the refusal stands all the same.
    }
  }

  private static void writeFrame(OutputStream out, JsonObject frame) throws IOException {
    byte[] body = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.write(new byte[] {(byte) (body.length >>> 8), (byte) body.length});
    out.write(body);
    out.flush();
  }

  /**
   * A frame: two bytes of length, then that much JSON.
   *
   * @param fromStranger whether the peer may be anyone, so that a first word that is not berth's is told apart
   */
  private JsonObject readFrame(Socket socket, long deadline, boolean fromStranger) throws IOException {
    byte[] length = fromStranger ? firstWords(socket, deadline) : readExactly(socket, 2, deadline);
    int size = (length[0] & 0xff) << 8 | length[1] & 0xff;
    if (size > MAX_FRAME_BYTES) {
      throw new IOException("it does not speak berth's member handshake (it began with " + printable(length) + ")");
    }
    try {
      return new JsonObject(new String(readExactly(socket, size, deadline), StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new IOException("its handshake is malformed");
    }
  }

  /** A stranger's first two bytes, or why they are not berth's: Hazelcast's own protocols, or nothing at all. */
  private byte[] firstWords(Socket socket, long deadline) throws IOException {
    byte[] first;
    try {
      first = readExactly(socket, 2, deadline);
    } catch (EOFException closed) {
      throw new Probe("closed before it said anything");
    }
    if (first[0] == MEMBER_PROTOCOL[0] && first[1] == MEMBER_PROTOCOL[1]) {
      throw new IOException("it speaks Hazelcast's member protocol without berth's member handshake (a plain"
        + " Hazelcast or Vert.x member, or a berth node without this cluster's " + gate.credential().kind().configKey()
        + ")");
    }
    if (first[0] == CLIENT_PROTOCOL[0] && first[1] == CLIENT_PROTOCOL[1]) {
      throw new IOException("it speaks Hazelcast's client protocol, and berth members accept no clients");
    }
    return first;
  }

  /** Bytes as a log can show them: printable ASCII as is, the rest in hex. */
  private static String printable(byte[] bytes) {
    StringBuilder shown = new StringBuilder("\"");
    for (byte b : bytes) {
      shown.append(b >= 0x20 && b < 0x7f && b != '"' ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
    }
    return shown.append('"').toString();
  }

  /** Exactly {@code count} bytes within the deadline, or EOFException or SocketTimeoutException. */
  private static byte[] readExactly(Socket socket, int count, long deadline) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] bytes = new byte[count];
    int read = 0;
    while (read < count) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMs <= 0) {
        throw new SocketTimeoutException("it did not complete berth's member handshake within " + TIMEOUT_MS + " ms");
      }
      socket.setSoTimeout((int) remainingMs);
      int n;
      try {
        n = in.read(bytes, read, count - read);
      } catch (SocketTimeoutException slow) {
        throw new SocketTimeoutException("it did not complete berth's member handshake within " + TIMEOUT_MS + " ms");
      }
      if (n < 0) {
        throw new EOFException("closed after " + read + " of " + count + " bytes");
      }
      read += n;
    }
    return bytes;
  }
}
