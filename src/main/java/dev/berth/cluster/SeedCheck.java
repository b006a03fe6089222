package dev.berth.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks each seed member, before Hazelcast starts, whether it speaks Hazelcast's member protocol: a member of a plain
 * cluster answers the three bytes {@code HZC} with the same three, and a member of a TLS or join-secret cluster greets
 * with berth's member handshake ({@link MemberHandshake}), which names how its members prove themselves. A seed that
 * accepts the connection and answers otherwise, or stays silent, is some other port, most likely another node's
 * event-bus or HTTP port: joining through it would fail late and obscurely, so it is left out with one line that says
 * so, and the join goes on through the others. A seed that refuses the connection, or accepts and closes it, stays in
 * the list: it may be a node that has not started yet, behind Docker's proxy of a published port, which accepts and
 * closes while its container's port is not open. A seed whose cluster keeps strangers out otherwise than this node
 * does ({@link Result#gateMismatch}) stops the node before it joins.
 */
public final class SeedCheck {

  static final int CONNECT_TIMEOUT_MS = 500;
  static final int ANSWER_TIMEOUT_MS = 1_000;
  /** How long a seed is given to greet first, as a gated member does at once, before it is asked as a plain one. */
  static final int GREETING_WAIT_MS = 250;
  private static final byte[] HAZELCAST_PROTOCOL = "HZC".getBytes(StandardCharsets.US_ASCII);
  private static final int GREETING_LENGTH = MemberHandshake.MAGIC.length + 2;

  private final List<String> seeds;
  private final Map<String, CompletableFuture<Answer>> answers;

  /** What a seed answered: a problem that leaves it out, or how its cluster keeps strangers out, when it said. */
  record Answer(String problem, Gate gate) {
    static final Answer NONE = new Answer(null, null);
  }

  /** How a seed's cluster admits members: open to any Hazelcast member, or through berth's handshake. */
  record Gate(JoinCredential.Kind kind) {
    static final Gate OPEN = new Gate(null);

    String describe() {
      return kind == null ? "a cluster open to any Hazelcast member (no cluster.tls and no cluster.joinSecret, or a"
        + " berth build without the member handshake)" : "a cluster whose members prove themselves with " + kind.configKey();
    }
  }

  /**
   * The seeds to join through, one line for each seed left out, and how the seeds that answered keep strangers out,
   * by seed.
   */
  public record Result(List<String> seeds, List<String> leftOut, Map<String, Gate> gates) {

    /**
     * A line saying why this node cannot join through its seeds when one of them keeps strangers out otherwise than
     * this node would (with a join secret, say, where this node has cluster.tls); empty when they agree.
     *
     * @param own how this node's cluster keeps strangers out; null for a plain cluster
     */
    public Optional<String> gateMismatch(JoinCredential.Kind own) {
      Gate ours = new Gate(own);
      return gates.entrySet().stream().filter(seed -> !seed.getValue().equals(ours)).findFirst()
        .map(seed -> "seed " + seed.getKey() + " is a member of " + seed.getValue().describe() + ", but this node "
          + (own == null ? "has neither cluster.tls nor cluster.joinSecret" : "has " + own.configKey())
          + ": give every node of a cluster the same TLS authority, or the same join secret, or neither");
    }
  }

  private SeedCheck(List<String> seeds, Map<String, CompletableFuture<Answer>> answers) {
    this.seeds = seeds;
    this.answers = answers;
  }

  /** Starts asking every seed that names a port, all at once, on threads of their own. */
  public static SeedCheck start(List<String> seeds) {
    Map<String, CompletableFuture<Answer>> answers = new LinkedHashMap<>();
    for (String seed : seeds) {
      InetSocketAddress address = withPort(seed);
      if (address != null) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Thread probe = new Thread(() -> answer.complete(ask(address)), "berth-seed-check");
        probe.setDaemon(true);
        probe.start();
        answers.put(seed, answer);
      }
    }
    return new SeedCheck(List.copyOf(seeds), answers);
  }

  /** Waits for the answers, at most the time one probe may take. */
  public Result await() {
    List<String> kept = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    Map<String, Gate> gates = new LinkedHashMap<>();
    for (String seed : seeds) {
      CompletableFuture<Answer> pending = answers.get(seed);
      Answer answer = pending == null ? Answer.NONE
        : pending.completeOnTimeout(Answer.NONE, CONNECT_TIMEOUT_MS + ANSWER_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS)
        .join();
      if (answer.problem() == null) {
        kept.add(seed);
      } else {
        leftOut.add("seed " + seed + " " + answer.problem() + ": not a Hazelcast member that answers (another node's"
          + " event-bus or HTTP port, or a frozen member?); seeds name Hazelcast ports, cluster.hazelcastPort, 5701 by"
          + " default. Joining through the others");
      }
      if (answer.gate() != null) {
        gates.put(seed, answer.gate());
      }
    }
    return new Result(List.copyOf(kept), List.copyOf(leftOut), gates);
  }

  /** What a seed answers; {@link Answer#NONE} when it is not up (yet). */
  static Answer ask(InetSocketAddress unresolved) {
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()), CONNECT_TIMEOUT_MS);
      } catch (IOException notListening) {
        return Answer.NONE;
      }
      byte[] greeting = greeting(socket);
      if (greeting != null) {
        return greeting.length == 0 ? Answer.NONE : fromGreeting(greeting);
      }
      socket.setSoTimeout(ANSWER_TIMEOUT_MS);
      socket.getOutputStream().write(HAZELCAST_PROTOCOL);
      byte[] answer = socket.getInputStream().readNBytes(HAZELCAST_PROTOCOL.length);
      if (answer.length == 0) {
        return Answer.NONE;
      }
      if (Arrays.equals(answer, HAZELCAST_PROTOCOL)) {
        return new Answer(null, Gate.OPEN);
      }
      // A gated member on a busy host greets after the wait: what it sent first is its greeting, not an answer.
      if (Arrays.equals(answer, 0, answer.length, MemberHandshake.MAGIC, 0, answer.length)) {
        byte[] late = Arrays.copyOf(answer, GREETING_LENGTH);
        int rest = socket.getInputStream().readNBytes(late, answer.length, late.length - answer.length);
        return fromGreeting(Arrays.copyOf(late, answer.length + rest));
      }
      return new Answer("answered something other than Hazelcast", null);
    } catch (SocketTimeoutException silent) {
      return new Answer("accepted a connection but did not answer within " + ANSWER_TIMEOUT_MS + " ms", null);
    } catch (IOException notUpYet) {
      return Answer.NONE;
    }
  }

  /** A gated member's greeting: berth's magic, the handshake's version and the letter of how members prove themselves. */
  private static Answer fromGreeting(byte[] greeting) {
    boolean berths = greeting.length == GREETING_LENGTH
      && Arrays.equals(greeting, 0, MemberHandshake.MAGIC.length, MemberHandshake.MAGIC, 0, MemberHandshake.MAGIC.length)
      && greeting[MemberHandshake.MAGIC.length] == MemberHandshake.VERSION;
    return !berths ? new Answer("answered something other than Hazelcast", null)
      : JoinCredential.Kind.ofLetter(greeting[MemberHandshake.MAGIC.length + 1])
      .map(known -> new Answer(null, new Gate(known))).orElse(Answer.NONE);
  }

  /**
   * What a seed says before it is spoken to: the start of berth's greeting from a gated member, empty when it closed,
   * or null when it waits for the other side to speak first, as a plain Hazelcast member does.
   */
  private static byte[] greeting(Socket socket) throws IOException {
    socket.setSoTimeout(GREETING_WAIT_MS);
    try {
      return socket.getInputStream().readNBytes(GREETING_LENGTH);
    } catch (SocketTimeoutException waits) {
      return null;
    }
  }

  /** {@code host:port} as an address, resolved later; null for a seed without a port, which Hazelcast expands. */
  private static InetSocketAddress withPort(String seed) {
    try {
      URI uri = new URI("tcp://" + seed);
      String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
      return uri.getPort() == -1 ? null : InetSocketAddress.createUnresolved(host, uri.getPort());
    } catch (URISyntaxException checkedByTheConfig) {
      return null;
    }
  }
}
