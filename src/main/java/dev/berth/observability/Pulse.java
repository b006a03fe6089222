package dev.berth.observability;

import dev.berth.gateway.GatewayMetrics;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import dev.berth.cluster.BerthClusterManager;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What each member tells the others every {@value #INTERVAL_MS} ms on a Hazelcast topic: its state, and the
 * requests its gateway answered and its workers handled per second over that interval, with their 99th percentile
 * (the upper bound of the histogram bucket it falls in). A member not heard from for {@value #SILENT_AFTER_MS} ms is
 * silent: frozen, cut off, or gone. Rates come from the node's metrics; with metrics off they are absent. The topic,
 * not the event bus: a pulse on the bus would keep a connection open from every node to every other, and a member's
 * leaving then stalled requests for up to a second. Each member speaks for itself only (the publishing member is the
 * pulse's id), and in a TLS cluster only proven members are heard.
 */
public final class Pulse {

  static final long INTERVAL_MS = 1_000;
  /** Three beats missed; shorter than Hazelcast's 5 s without heartbeat, after which a member is dropped. */
  static final long SILENT_AFTER_MS = 3 * INTERVAL_MS;

  private static final String TOPIC = "__berth.pulse";
  /** Where vertx-hazelcast keeps a member's node id among its attributes (LivePageIT fails if it moves). */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final Vertx vertx;
  private final BerthClusterManager cluster;
  private final Supplier<NodeState> state;
  private final MeterRegistry registry;
  private final boolean measured;
  private final Map<String, Heard> heard = new ConcurrentHashMap<>();
  private final Window gateway = new Window(GatewayMetrics.REQUESTS);
  private final Window workers = new Window(WorkerMetrics.REQUESTS);
  private ITopic<String> topic;
  private UUID listener;
  private long timer;

  private record Heard(JsonObject pulse, long atNanos) {
  }

  public Pulse(Vertx vertx, BerthClusterManager cluster, Supplier<NodeState> state, NodeMetrics metrics) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.state = state;
    this.registry = metrics.registry();
    this.measured = metrics.enabled();
  }

  public void start() {
    topic = cluster.getHazelcastInstance().getTopic(TOPIC);
    listener = topic.addMessageListener(this::heard);
    timer = vertx.setPeriodic(0, INTERVAL_MS, tick -> beat());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    if (cluster.getHazelcastInstance().getLifecycleService().isRunning()) {
      topic.removeMessageListener(listener);
    }
  }

  /** On a Hazelcast event thread. */
  private void heard(Message<String> message) {
    String from = message.getPublishingMember().getAttribute(VERTX_NODE_ID);
    if (from == null || cluster.provesMembers() && !cluster.isProven(from)) {
      return;
    }
    try {
      heard.put(from, new Heard(new JsonObject(message.getMessageObject()), System.nanoTime()));
    } catch (DecodeException notJson) {
      // Not a berth node's pulse: nothing to show.
    }
  }

  /** What {@code nodeId} last said, with how long ago and whether that makes it silent; null if never heard. */
  JsonObject of(String member) {
    Heard last = heard.get(member);
    if (last == null) {
      return null;
    }
    long ageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last.atNanos());
    return last.pulse().copy().put("ageMs", ageMs).put("silent", ageMs > SILENT_AFTER_MS);
  }

  /** Forgets members that left. */
  void keepOnly(Collection<String> members) {
    heard.keySet().retainAll(members);
  }

  private void beat() {
    JsonObject pulse = new JsonObject().put("state", state.get().name());
    if (measured) {
      gateway.sample(registry).ifPresent(load -> pulse.put("gateway", load));
      workers.sample(registry).ifPresent(load -> pulse.put("workers", load));
    }
    topic.publishAsync(pulse.encode());
  }

  /** The requests of one timer name, all tags together, since the previous sample. */
  private static final class Window {

    private final String timerName;
    private long lastNanos = System.nanoTime();
    private long lastCount;
    private Map<Double, Double> lastBuckets = Map.of();

    Window(String timerName) {
      this.timerName = timerName;
    }

    Optional<JsonObject> sample(MeterRegistry registry) {
      Collection<Timer> timers = registry.find(timerName).timers();
      if (timers.isEmpty()) {
        return Optional.empty();
      }
      long now = System.nanoTime();
      long count = 0;
      Map<Double, Double> buckets = new TreeMap<>();
      for (Timer timer : timers) {
        HistogramSnapshot snapshot = timer.takeSnapshot();
        count += snapshot.count();
        for (CountAtBucket bucket : snapshot.histogramCounts()) {
          buckets.merge(bucket.bucket(TimeUnit.MILLISECONDS), bucket.count(), Double::sum);
        }
      }
      double seconds = Math.max(1, now - lastNanos) / 1e9;
      long requests = Math.max(0, count - lastCount);
      JsonObject load = new JsonObject().put("perSecond", Math.round(requests / seconds * 10) / 10.0);
      Double p99 = percentile(requests, buckets, 0.99);
      if (requests > 0) {
        load.put("p99Ms", p99);
      }
      lastNanos = now;
      lastCount = count;
      lastBuckets = buckets;
      return Optional.of(load);
    }

    /** The upper bound of the bucket the quantile falls in, in ms; null past the last bucket. */
    private Double percentile(long requests, Map<Double, Double> buckets, double quantile) {
      for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
        double inWindow = bucket.getValue() - lastBuckets.getOrDefault(bucket.getKey(), 0.0);
        if (inWindow >= quantile * requests) {
          return bucket.getKey();
        }
      }
      return null;
    }
  }
}
