package dev.berth.gateway;

import java.util.function.LongSupplier;

/**
 * Bounds the requests a gateway instance sends a second time, so that a dead or stuck address cannot multiply the
 * load: each request earns a fifth of a retry, and a steady {@value #MIN_PER_SECOND} per second keep a quiet gateway
 * able to fail over, up to {@value #MAX_SAVED} saved. Confined to the instance's event loop.
 */
final class RetryBudget {

  static final double PER_REQUEST = 0.2;
  static final double MIN_PER_SECOND = 10;
  static final double MAX_SAVED = 100;

  private final LongSupplier nanoTime;
  private double saved = MAX_SAVED;
  private long lastRefillNanos;

  RetryBudget() {
    this(System::nanoTime);
  }

  /** @param nanoTime the clock the steady refill follows: the JVM's, or a test's */
  RetryBudget(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastRefillNanos = nanoTime.getAsLong();
  }

  void deposit() {
    saved = Math.min(MAX_SAVED, saved + PER_REQUEST);
  }

  /** Takes one retry from the budget, or says there is none left. */
  boolean withdraw() {
    long now = nanoTime.getAsLong();
    saved = Math.min(MAX_SAVED, saved + MIN_PER_SECOND * (now - lastRefillNanos) / 1e9);
    lastRefillNanos = now;
    if (saved < 1) {
      return false;
    }
    saved--;
    return true;
  }
}
