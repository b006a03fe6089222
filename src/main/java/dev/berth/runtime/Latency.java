package dev.berth.runtime;

import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/** How berth measures a request's time: a Micrometer timer with histogram buckets suited to milliseconds. */
public final class Latency {

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private Latency() {
  }

  /** A timer named {@code name} with buckets from 1 ms to 10 s. */
  public static Timer.Builder timer(String name) {
    return Timer.builder(name).serviceLevelObjectives(BUCKETS);
  }
}
