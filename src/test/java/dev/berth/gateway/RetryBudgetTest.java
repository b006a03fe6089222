package dev.berth.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000));
  private final RetryBudget budget = new RetryBudget(now::get);

  @Test
  @DisplayName("a gateway starts with 100 retries saved, and has none once it spent them")
  void startsFull() {
    assertThat(spendAll()).isEqualTo(100);
    assertThat(budget.withdraw()).isFalse();
  }

  @Test
  @DisplayName("each request earns a fifth of a retry")
  void requestsEarn() {
    spendAll();
    for (int i = 0; i < 9; i++) {
      budget.deposit();
    }
    assertThat(spendAll()).as("nine requests").isEqualTo(1);
    for (int i = 0; i < 10; i++) {
      budget.deposit();
    }
    assertThat(spendAll()).as("ten more").isEqualTo(2);
  }

  @Test
  @DisplayName("ten retries a second come back without requests, up to the 100 saved")
  void steadyRefill() {
    spendAll();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_050));
    assertThat(spendAll()).as("after 1.05 s").isEqualTo(10);
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    assertThat(spendAll()).as("after an hour").isEqualTo(100);
  }

  @Test
  @DisplayName("deposits never save more than 100")
  void capped() {
    for (int i = 0; i < 1_000; i++) {
      budget.deposit();
    }
    assertThat(spendAll()).isEqualTo(100);
  }

  private int spendAll() {
    int spent = 0;
    while (budget.withdraw()) {
      spent++;
    }
    return spent;
  }
}
