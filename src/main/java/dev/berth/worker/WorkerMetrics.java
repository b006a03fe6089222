package dev.berth.worker;

import dev.berth.runtime.Latency;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a node's workers count, Java handlers and bridge clients alike: each request they took off the event bus, by
 * address and outcome, with the time from its arrival to its answer; and the requests they hold. The meters of an
 * address are looked up once, when it starts being served, not per message.
 */
public final class WorkerMetrics {

  /** The timer of the requests the workers answered. */
  public static final String REQUESTS = "berth.worker.requests";

  /** How a request ended on the worker's side. */
  public enum Outcome {
    /** Answered with a reply. */
    ANSWERED,
    /** Failed with a code: by the handler, or because nobody could take it. */
    FAILED,
    /** Not answered within the worker's bound (504). */
    TIMED_OUT;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private final MeterRegistry registry;

  /** @param held the requests the node's workers hold, counted by them */
  public WorkerMetrics(MeterRegistry registry, AtomicInteger held) {
    this.registry = registry;
    Gauge.builder("berth.worker.requests.held", held, Number::doubleValue)
      .description("Requests the node's workers took and have not answered yet").register(registry);
  }

  /** No metrics: for a test. */
  public static WorkerMetrics none() {
    return new WorkerMetrics(new CompositeMeterRegistry(), new AtomicInteger());
  }

  /** The meters of one address. */
  public AddressMeters of(String address) {
    return new AddressMeters(registry, address);
  }

  /** One timer per outcome of an address, resolved once. */
  public static final class AddressMeters {

    private final Timer[] byOutcome = new Timer[Outcome.values().length];

    private AddressMeters(MeterRegistry registry, String address) {
      for (Outcome outcome : Outcome.values()) {
        byOutcome[outcome.ordinal()] = Latency.timer(REQUESTS)
          .description("Requests the node's workers took off the event bus, by address and outcome")
          .tags("address", address, "outcome", outcome.label)
          .register(registry);
      }
    }

    /** A request that arrived at {@code arrivedNanos} ended with {@code outcome}. */
    public void ended(Outcome outcome, long arrivedNanos) {
      byOutcome[outcome.ordinal()].record(System.nanoTime() - arrivedNanos, TimeUnit.NANOSECONDS);
    }
  }
}
