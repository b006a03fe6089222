package dev.berth.runtime;

import io.vertx.core.Vertx;

import java.util.function.BooleanSupplier;

/**
 * A periodic check that runs only while there is something to check: {@link #needed} starts it, and it stops once a
 * pass finds nothing left, so that an idle node is not woken for it many times a second. Used on one context.
 */
public final class Sweep {

  private static final long STOPPED = -1;

  private final Vertx vertx;
  private final long periodMs;
  private final BooleanSupplier pass;
  private long timer = STOPPED;

  /** @param pass one pass of the check; says whether anything is left to check */
  public Sweep(Vertx vertx, long periodMs, BooleanSupplier pass) {
    this.vertx = vertx;
    this.periodMs = periodMs;
    this.pass = pass;
  }

  /** Something may need checking from now on: starts the sweep on the caller's context, unless it runs. */
  public void needed() {
    if (timer == STOPPED) {
      timer = vertx.setPeriodic(periodMs, tick -> {
        if (!pass.getAsBoolean()) {
          stop();
        }
      });
    }
  }

  public void stop() {
    if (timer != STOPPED) {
      vertx.cancelTimer(timer);
      timer = STOPPED;
    }
  }
}
