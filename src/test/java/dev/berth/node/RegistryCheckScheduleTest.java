package dev.berth.node;

import dev.berth.testing.Poll;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RegistryCheckScheduleTest {

  private static final Duration BOUND = Duration.ofSeconds(15);

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  /** The clock the schedule decides by, moved by the test; its timers are Vert.x's, in real time. */
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger checks = new AtomicInteger();
  private final RegistryCheckSchedule schedule = new RegistryCheckSchedule(vertx, checks::incrementAndGet, clock::get);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("the registry is checked every 2 s for 30 s after a member joined or left, then every 10 s")
  void checkedOftenOnlyWhileMembershipChanges() {
    assertThat(RegistryCheckSchedule.delayMs(0)).isEqualTo(2_000);
    assertThat(RegistryCheckSchedule.delayMs(TimeUnit.SECONDS.toNanos(29))).isEqualTo(2_000);
    assertThat(RegistryCheckSchedule.delayMs(TimeUnit.SECONDS.toNanos(30))).isEqualTo(10_000);
    assertThat(RegistryCheckSchedule.delayMs(TimeUnit.HOURS.toNanos(1))).isEqualTo(10_000);
  }

  @Test
  @DisplayName("in a settled cluster a member joining brings the check due in 10 s forward to 2 s, and a second"
    + " change leaves a check due sooner where it is")
  void membershipChangeBringsTheCheckForward() throws Exception {
    clock.set(TimeUnit.SECONDS.toNanos(31));  // the membership, unchanged since the schedule was made, has settled
    assertThat(onContext(() -> {
      schedule.start();
      return schedule.dueInMs();
    })).as("the first check, 2 s after the start").isEqualTo(2_000);
    Poll.until("the first check", BOUND, checks::get, count -> count == 1);
    assertThat(onContext(schedule::dueInMs)).isEqualTo(10_000);

    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(onContext(() -> {
      schedule.membersChanged();
      return schedule.dueInMs();
    })).isEqualTo(2_000);

    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(onContext(() -> {
      schedule.membersChanged();
      return schedule.dueInMs();
    })).isEqualTo(1_000);
    Poll.until("the check brought forward", BOUND, checks::get, count -> count == 2);
    assertThat(onContext(schedule::dueInMs)).as("a check 2 s later: the membership changed 0 s ago by the clock")
      .isEqualTo(2_000);
  }

  /** Runs on the schedule's context, after any timer of it that is running. */
  private <T> T onContext(Callable<T> action) throws Exception {
    return Future.<T>future(done -> context.runOnContext(run -> {
      try {
        done.complete(action.call());
      } catch (Exception e) {
        done.fail(e);
      }
    })).await(10, TimeUnit.SECONDS);
  }
}
