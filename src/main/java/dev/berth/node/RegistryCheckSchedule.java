package dev.berth.node;

import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When the node next checks that the cluster's registry still lists its consumers: every {@link #UNSETTLED_CHECK_MS}
 * for {@link #UNSETTLED_MS} after a member joined or left (when a merge or a migration can lose entries and updates),
 * every {@link #SETTLED_CHECK_MS} once the membership settled. A join or leave brings a check due later than the
 * unsettled cadence's forward to it. Call on the node's context.
 */
final class RegistryCheckSchedule {

  static final long UNSETTLED_CHECK_MS = 2_000;
  static final long SETTLED_CHECK_MS = 10_000;
  static final long UNSETTLED_MS = 30_000;

  private final Vertx vertx;
  private final Runnable check;
  private final LongSupplier nanoTime;
  /** When a member last joined or left; the schedule's making, as the node becomes ready, counts as one. */
  private long membersChangedAt;
  private long timer;
  private long dueAt;

  /** {@code nanoTime} is the clock the cadence is decided by: {@link System#nanoTime()} but in a test. */
  RegistryCheckSchedule(Vertx vertx, Runnable check, LongSupplier nanoTime) {
    this.vertx = vertx;
    this.check = check;
    this.nanoTime = nanoTime;
    this.membersChangedAt = nanoTime.getAsLong();
  }

  void start() {
    schedule(UNSETTLED_CHECK_MS);
  }

  /** A member joined or left. */
  void membersChanged() {
    membersChangedAt = nanoTime.getAsLong();
    if (dueAt - membersChangedAt > TimeUnit.MILLISECONDS.toNanos(UNSETTLED_CHECK_MS)) {
      vertx.cancelTimer(timer);
      schedule(UNSETTLED_CHECK_MS);
    }
  }

  /** How long until the next check, by the schedule's clock. */
  long dueInMs() {
    return TimeUnit.NANOSECONDS.toMillis(dueAt - nanoTime.getAsLong());
  }

  /** An idle cluster whose membership settled is checked less often: each check is a few Hazelcast reads. */
  static long delayMs(long nanosSinceMembersChanged) {
    return nanosSinceMembersChanged < TimeUnit.MILLISECONDS.toNanos(UNSETTLED_MS)
      ? UNSETTLED_CHECK_MS
      : SETTLED_CHECK_MS;
  }

  private void schedule(long delayMs) {
    dueAt = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    timer = vertx.setTimer(delayMs, fired -> {
      check.run();
      schedule(delayMs(nanoTime.getAsLong() - membersChangedAt));
    });
  }
}
