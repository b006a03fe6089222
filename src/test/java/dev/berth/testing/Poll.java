package dev.berth.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition by polling it, with a deadline, instead of sleeping a fixed time. */
public final class Poll {

  private static final Duration INTERVAL = Duration.ofMillis(100);

  private Poll() {
  }

  /** Polls until {@code value} satisfies {@code done}; returns the value and the time it took, or fails at the deadline. */
  public static <T> Result<T> until(String what, Duration timeout, Supplier<T> value, Predicate<T> done) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = value.get();
      if (done.test(last)) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        reportIfNearBound(what, elapsed, timeout);
        return new Result<>(last, elapsed);
      }
      pause();
    }
    throw new AssertionError(what + " not reached within " + timeout + "; last value: " + last);
  }

  /** Samples {@code value} at the poll interval for the whole of {@code period}, for what must hold throughout. */
  public static <T> List<T> during(Duration period, Supplier<T> value) {
    long deadline = System.nanoTime() + period.toNanos();
    List<T> samples = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      samples.add(value.get());
      pause();
    }
    return samples;
  }

  /** A wait that took over half its bound is the next one a slower machine fails: the CI log names it. */
  private static void reportIfNearBound(String what, Duration elapsed, Duration timeout) {
    if (elapsed.compareTo(timeout.dividedBy(2)) > 0) {
      System.out.printf("Poll: '%s' took %d ms of its %d ms bound%n", what, elapsed.toMillis(), timeout.toMillis());
    }
  }

  private static void pause() {
    LockSupport.parkNanos(INTERVAL.toNanos());
  }

  public record Result<T>(T value, Duration elapsed) {
  }
}
