package dev.berth.observability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeTracingTest {

  @AfterEach
  void clearProperties() {
    System.clearProperty("otel.sdk.disabled");
  }

  @Test
  @DisplayName("by default requests are traced, with W3C trace context, and nothing is exported")
  void onByDefault() {
    NodeTracing tracing = NodeTracing.of("node-a");

    assertThat(tracing.fields()).contains("traceparent");
    assertThat(NodeTracing.DEFAULTS).containsEntry("otel.traces.exporter", "none");
  }

  @Test
  @DisplayName("otel.sdk.disabled (OTEL_SDK_DISABLED) leaves the node without a tracer or trace headers")
  void disabled() {
    System.setProperty("otel.sdk.disabled", "true");

    NodeTracing tracing = NodeTracing.of("node-a");

    assertThat(tracing.fields()).isEmpty();
    assertThat(tracing.shutdown().succeeded()).isTrue();
  }

  @Test
  @DisplayName("the node's name is its service.instance.id, added to the user's resource attributes unless they name one")
  void instanceNamedByTheNode() {
    assertThat(NodeTracing.withInstance("", "gateway:5701"))
      .containsEntry("otel.resource.attributes", "service.instance.id=gateway%3A5701");
    assertThat(NodeTracing.withInstance("deployment.environment=prod", "a"))
      .containsEntry("otel.resource.attributes", "deployment.environment=prod,service.instance.id=a");
    assertThat(NodeTracing.withInstance("team=x, service.instance.id=mine", "a")).isEmpty();
  }
}
