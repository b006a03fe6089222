package dev.berth.runtime;

import dev.berth.testing.Poll;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SweepTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  /** Many periods of the sweep: long enough to see a pass that should not happen. */
  private static final Duration QUIET = Duration.ofMillis(300);

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final AtomicInteger passes = new AtomicInteger();
  private final AtomicInteger left = new AtomicInteger();
  private final Sweep sweep = new Sweep(vertx, 10, () -> {
    passes.incrementAndGet();
    return left.decrementAndGet() > 0;
  });

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a sweep runs while its passes find something left, stops after one finds nothing, and runs again,"
    + " once, when needed again")
  void runsOnlyWhileNeeded() {
    left.set(3);
    context.runOnContext(start -> sweep.needed());
    Poll.until("three passes", BOUND, passes::get, count -> count == 3);
    assertThat(Poll.during(QUIET, passes::get)).as("passes once nothing was left").containsOnly(3);

    left.set(1);
    context.runOnContext(again -> {
      sweep.needed();
      sweep.needed();
    });
    Poll.until("a fourth pass", BOUND, passes::get, count -> count == 4);
    assertThat(Poll.during(QUIET, passes::get)).as("passes of a sweep needed twice").containsOnly(4);
  }

  @Test
  @DisplayName("a stopped sweep makes no more passes")
  void stops() {
    left.set(Integer.MAX_VALUE);
    context.runOnContext(start -> sweep.needed());
    Poll.until("a pass", BOUND, passes::get, count -> count > 0);

    AtomicInteger stoppedAt = new AtomicInteger(-1);
    context.runOnContext(stop -> {
      sweep.stop();
      stoppedAt.set(passes.get());
    });
    Poll.until("the sweep stopped", BOUND, stoppedAt::get, count -> count > 0);
    assertThat(Poll.during(QUIET, passes::get)).containsOnly(stoppedAt.get());
  }
}
