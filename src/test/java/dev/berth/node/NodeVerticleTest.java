package dev.berth.node;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NodeVerticleTest {

  @Test
  @DisplayName("the registry is checked every 2 s for 30 s after a member joined or left, then every 10 s")
  void registryCheckedOftenOnlyWhileMembershipChanges() {
    assertThat(NodeVerticle.registryCheckDelayMs(0)).isEqualTo(2_000);
    assertThat(NodeVerticle.registryCheckDelayMs(TimeUnit.SECONDS.toNanos(29))).isEqualTo(2_000);
    assertThat(NodeVerticle.registryCheckDelayMs(TimeUnit.SECONDS.toNanos(30))).isEqualTo(10_000);
    assertThat(NodeVerticle.registryCheckDelayMs(TimeUnit.HOURS.toNanos(1))).isEqualTo(10_000);
  }
}
