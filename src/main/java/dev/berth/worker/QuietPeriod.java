package dev.berth.worker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * When requests stopped arriving at a draining worker: gateways stop choosing a node once it announces its drain, so a
 * worker that has gone {@value #QUIET_MS} ms without a request may unregister without a request being on its way.
 * Used on one context.
 */
public final class QuietPeriod {

  /**
   * How long a draining worker must go without a request before it unregisters: longer than the announcement of its
   * drain takes to reach the gateways and a request already on its way takes to arrive.
   */
  public static final long QUIET_MS = 250;

  private long lastArrivalNanos = System.nanoTime();

  /** A request arrived. */
  public void arrived() {
    lastArrivalNanos = System.nanoTime();
  }

  /** Completes once no request has arrived for {@link #QUIET_MS}, or at {@code deadlineNanos}, whichever is first. */
  public Future<Void> await(Vertx vertx, long deadlineNanos) {
    Promise<Void> quiet = Promise.promise();
    check(vertx, deadlineNanos, quiet);
    return quiet.future();
  }

  private void check(Vertx vertx, long deadlineNanos, Promise<Void> quiet) {
    long now = System.nanoTime();
    long silentFor = TimeUnit.NANOSECONDS.toMillis(now - lastArrivalNanos);
    long untilDeadline = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now);
    if (silentFor >= QUIET_MS || untilDeadline <= 0) {
      quiet.complete();
      return;
    }
    vertx.setTimer(Math.max(1, Math.min(QUIET_MS - silentFor, untilDeadline)),
      next -> check(vertx, deadlineNanos, quiet));
  }
}
