package dev.berth.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log of refusals at the Hazelcast port, either way: one line per peer address at most once a {@link #WINDOW},
 * which counts the refusals it did not log, so that a stranger retrying in a loop cannot flood the log; and how many
 * connections and joins this node refused in all, for its metrics.
 */
public final class Refusals {

  /** What this node refused, or that a peer refused it. */
  enum Kind { CONNECTION, JOIN, BY_PEER }

  static final Duration WINDOW = Duration.ofMinutes(1);
  /** Sources remembered at most; beyond that, those quiet for a window are forgotten. */
  private static final int MAX_SOURCES = 1_024;
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);

  private record Source(long loggedAtNanos, AtomicInteger unlogged) {
  }

  private final Map<String, Source> sources = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong joins = new AtomicLong();

  /** Hazelcast connections this node refused: strangers, nodes of another cluster, and probes. */
  public long connections() {
    return connections.get();
  }

  /** A connection closed before it said anything: counted, not logged. */
  void probed() {
    connections.incrementAndGet();
  }

  /** Joins this node refused as the cluster's master. */
  public long joins() {
    return joins.get();
  }

  /**
   * @param source the peer, an IP address or a Hazelcast address
   * @param line   what happened, naming the peer
   */
  void refused(Kind kind, String source, String line) {
    if (kind == Kind.CONNECTION) {
      connections.incrementAndGet();
    } else if (kind == Kind.JOIN) {
      joins.incrementAndGet();
    }
    long now = System.nanoTime();
    if (sources.size() >= MAX_SOURCES) {
      sources.values().removeIf(known -> now - known.loggedAtNanos() > WINDOW.toNanos());
    }
    int[] unlogged = {-1};
    sources.compute(source, (key, earlier) -> {
      if (earlier != null && now - earlier.loggedAtNanos() < WINDOW.toNanos()) {
        earlier.unlogged().incrementAndGet();
        return earlier;
      }
      unlogged[0] = earlier == null ? 0 : earlier.unlogged().get();
      return new Source(now, new AtomicInteger());
    });
    if (unlogged[0] < 0) {
      return;
    }
    log.warn("{}{}", line, unlogged[0] == 0 ? ""
      : " (and " + unlogged[0] + " more time(s) since the last such line)");
  }
}
