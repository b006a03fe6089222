package dev.berth.worker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * How a worker stops without losing a request, the same for a Java worker and for the bridge's clients: it goes on
 * serving until no request has arrived for {@value #QUIET_MS} ms (gateways stop choosing a node once it announces its
 * drain, so nothing is on its way by then but what a stalled host delayed), unregisters what it consumes cluster-wide
 * (but its node's own copies, see {@link WorkerVerticle#drain}), then answers the requests it holds, all within one
 * bound. It counts the requests held and when the last one arrived. Used on one context; the count of held requests
 * may be read from any thread.
 */
public final class Drain {

  /**
   * How long a draining worker must go without a request before it unregisters: longer than the announcement of its
   * drain takes to reach the gateways and a request already on its way takes to arrive.
   */
  public static final long QUIET_MS = 250;

  private final AtomicInteger held = new AtomicInteger();
  private long lastArrivalNanos = System.nanoTime();
  private boolean draining;
  private Promise<Void> answered;

  /** A request arrived. */
  public void arrived() {
    lastArrivalNanos = System.nanoTime();
  }

  /** The worker took a request it will answer later. */
  public void took() {
    held.incrementAndGet();
  }

  /** The worker answered, or gave up, {@code count} requests it held. */
  public void settled(int count) {
    if (count > 0 && held.addAndGet(-count) == 0 && answered != null) {
      answered.tryComplete();
    }
  }

  /** The requests held now. */
  public AtomicInteger held() {
    return held;
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Serves until quiet, has {@code unregister} unregister the consumers cluster-wide, then waits for the requests held,
   * within {@code timeoutMs} in all. Call on the worker's context once the node has announced its drain.
   *
   * @param clustered whether gateways on other nodes may still be sending: a worker on a Vert.x that is not clustered
   *                  unregisters at once
   */
  public Future<Void> run(Vertx vertx, boolean clustered, long timeoutMs, Supplier<Future<?>> unregister) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    draining = true;
    answered = Promise.promise();
    arrived();
    return (clustered ? quiet(vertx, deadline) : Future.<Void>succeededFuture())
      .compose(quiet -> unregister.get())
      .compose(unregistered -> held.get() == 0 ? Future.<Void>succeededFuture() : answered.future())
      .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Completes once no request has arrived for {@link #QUIET_MS}, or at {@code deadlineNanos}, whichever is first. */
  private Future<Void> quiet(Vertx vertx, long deadlineNanos) {
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
