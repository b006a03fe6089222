package dev.berth.observability;

import dev.berth.config.ManagementConfig;
import dev.berth.gateway.GatewayLoad;
import dev.berth.gateway.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeMetricsTest {

  @Test
  @DisplayName("management.metrics false: no /metrics, and berth's meters keep nothing")
  void off() {
    NodeMetrics off = NodeMetrics.of(new ManagementConfig("127.0.0.1", 9345, false, false), "quiet");
    new GatewayMetrics(off.registry(), GatewayLoad.idle());
    Counter counter = Counter.builder("berth.test").register(off.registry());
    counter.increment();

    assertThat(off.scraper()).isNull();
    assertThat(counter.count()).isZero();
    assertThat(off.registry()).isNotInstanceOf(PrometheusMeterRegistry.class);
  }

  @Test
  @DisplayName("on: one Prometheus registry naming the node, in which an address loses its @<node id>")
  void on() {
    NodeMetrics on = NodeMetrics.of(new ManagementConfig("127.0.0.1", 9345, true, false), "loud");
    Counter.builder("berth.test").tag("address", "first@6ff8263e-0000").register(on.registry()).increment();

    assertThat(on.scraper()).isNotNull();
    assertThat(((PrometheusMeterRegistry) on.registry()).scrape())
      .contains("berth_test_total{address=\"first\",node=\"loud\"} 1.0");
  }
}
