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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks each seed member, before Hazelcast starts, whether it speaks Hazelcast's member protocol: a Hazelcast member
 * answers the three bytes {@code HZC} with the same three. A seed that accepts the connection and answers otherwise,
 * or stays silent, is some other port, most likely another node's event-bus or HTTP port: joining through it would
 * fail late and obscurely, so it is left out with one line that says so, and the join goes on through the others. A
 * seed that refuses the connection, or accepts and closes it, stays in the list: it may be a node that has not started
 * yet, behind Docker's proxy of a published port, which accepts and closes while its container's port is not open.
 */
public final class SeedCheck {

  static final int CONNECT_TIMEOUT_MS = 500;
  static final int ANSWER_TIMEOUT_MS = 1_000;
  private static final byte[] HAZELCAST_PROTOCOL = "HZC".getBytes(StandardCharsets.US_ASCII);

  private final List<String> seeds;
  private final Map<String, CompletableFuture<String>> problems;

  /** The seeds to join through, and one line for each seed left out. */
  public record Result(List<String> seeds, List<String> leftOut) {
  }

  private SeedCheck(List<String> seeds, Map<String, CompletableFuture<String>> problems) {
    this.seeds = seeds;
    this.problems = problems;
  }

  /** Starts asking every seed that names a port, all at once, on threads of their own. */
  public static SeedCheck start(List<String> seeds) {
    Map<String, CompletableFuture<String>> problems = new LinkedHashMap<>();
    for (String seed : seeds) {
      InetSocketAddress address = withPort(seed);
      if (address != null) {
        CompletableFuture<String> problem = new CompletableFuture<>();
        Thread probe = new Thread(() -> problem.complete(problemOf(address)), "berth-seed-check");
        probe.setDaemon(true);
        probe.start();
        problems.put(seed, problem);
      }
    }
    return new SeedCheck(List.copyOf(seeds), problems);
  }

  /** Waits for the answers, at most the time one probe may take. */
  public Result await() {
    List<String> kept = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    for (String seed : seeds) {
      CompletableFuture<String> problem = problems.get(seed);
      String found = problem == null ? null
        : problem.completeOnTimeout(null, CONNECT_TIMEOUT_MS + ANSWER_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).join();
      if (found == null) {
        kept.add(seed);
      } else {
        leftOut.add("seed " + seed + " " + found + ": not a Hazelcast member that answers (another node's event-bus"
          + " or HTTP port, or a frozen member?); seeds name Hazelcast ports, cluster.hazelcastPort, 5701 by default."
          + " Joining through the others");
      }
    }
    return new Result(List.copyOf(kept), List.copyOf(leftOut));
  }

  /** What is wrong with a seed that accepts connections, or null when it answers as Hazelcast or is not up. */
  static String problemOf(InetSocketAddress unresolved) {
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()), CONNECT_TIMEOUT_MS);
      } catch (IOException notListening) {
        return null;
      }
      socket.setSoTimeout(ANSWER_TIMEOUT_MS);
      socket.getOutputStream().write(HAZELCAST_PROTOCOL);
      byte[] answer = socket.getInputStream().readNBytes(HAZELCAST_PROTOCOL.length);
      if (answer.length == 0 || Arrays.equals(answer, HAZELCAST_PROTOCOL)) {
        return null;
      }
      return "answered something other than Hazelcast";
    } catch (SocketTimeoutException silent) {
      return "accepted a connection but did not answer within " + ANSWER_TIMEOUT_MS + " ms";
    } catch (IOException notUpYet) {
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
