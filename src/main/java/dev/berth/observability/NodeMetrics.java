package dev.berth.observability;

import dev.berth.cluster.BerthClusterManager;
import dev.berth.cluster.Refusals;
import dev.berth.config.ManagementConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.UUID;

/**
 * A node's metrics in one Prometheus registry, served as {@code GET /metrics}: Vert.x's own through its metrics SPI
 * (the event bus by address, the JVM), berth's (the gateway's requests, the cluster's members, the bridge), and the
 * process's resident memory. Every series carries the node's name. Labels never take values from requests: an address
 * loses its {@code @<node id>} suffix, so that each address is one series however often nodes restart. Off
 * ({@code management.metrics: false}), Vert.x runs without metrics and berth's meters keep nothing.
 */
public final class NodeMetrics {

  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private final PrometheusMeterRegistry registry;
  /** Where berth's meters go: the registry, or with metrics off a registry with no backend, which keeps nothing. */
  private final MeterRegistry meters;
  private final boolean eventBusMetrics;

  private NodeMetrics(PrometheusMeterRegistry registry, boolean eventBusMetrics) {
    this.registry = registry;
    this.meters = registry == null ? new CompositeMeterRegistry() : registry;
    this.eventBusMetrics = eventBusMetrics;
  }

  public static NodeMetrics of(ManagementConfig config, String nodeName) {
    if (!config.metrics()) {
      return new NodeMetrics(null, false);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeName)
      .meterFilter(MeterFilter.replaceTagValues(Label.EB_ADDRESS.toString(), NodeMetrics::withoutNodeId));
    if (Files.isReadable(PROC_STATUS)) {
      Gauge.builder("process.resident.memory", NodeMetrics::residentBytes).baseUnit("bytes")
        .description("Resident set size of the node's process (VmRSS)").register(registry);
    }
    return new NodeMetrics(registry, config.eventBusMetrics());
  }

  /**
   * Vert.x's metrics SPI, for the JVM, and with {@code management.eventBusMetrics} for the event bus: berth measures
   * requests itself, by address, where the gateway and the workers handle them.
   */
  public void applyTo(VertxOptions options, VertxBuilder builder) {
    if (registry == null) {
      return;
    }
    // A registry name of its own: Vert.x keeps one backend per name and JVM, and tests run several nodes in one JVM.
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
      .setRegistryName("berth-" + UUID.randomUUID()).setLabels(EnumSet.of(Label.EB_ADDRESS, Label.EB_FAILURE));
    // Vert.x's event-bus metrics look up several meters per message, and register a gauge for each one received.
    EnumSet<MetricsDomain> measured = eventBusMetrics ? EnumSet.of(MetricsDomain.EVENT_BUS)
      : EnumSet.noneOf(MetricsDomain.class);
    EnumSet.complementOf(measured).forEach(metrics::addDisabledMetricsCategory);
    options.setMetricsOptions(metrics);
    builder.withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Whether the node keeps metrics ({@code management.metrics}). */
  boolean enabled() {
    return registry != null;
  }

  /** Where berth's own meters go: the registry, or one that keeps nothing when metrics are off. */
  public MeterRegistry registry() {
    return meters;
  }

  /** The cluster's members and, in a TLS cluster, how many of them proved they belong. */
  public void watch(BerthClusterManager cluster) {
    if (registry == null) {
      return;
    }
    Gauge.builder("berth.cluster.members", cluster, manager -> manager.getNodes().size())
      .description("Members of the Hazelcast cluster as this node sees them").register(registry);
    if (cluster.provesMembers()) {
      Gauge.builder("berth.cluster.members.proven", cluster,
          manager -> manager.getNodes().stream().filter(manager::isProven).count())
        .description("Members that proved they belong to the cluster").register(registry);
    }
  }

  /** What the gate of a TLS or join-secret cluster refused at this node's Hazelcast port. */
  public void watch(Refusals refusals) {
    if (registry == null) {
      return;
    }
    FunctionCounter.builder("berth.cluster.refused", refusals, Refusals::connections).tag("refused", "connection")
      .description("Hazelcast connections and joins refused: strangers, and nodes of another cluster")
      .register(registry);
    FunctionCounter.builder("berth.cluster.refused", refusals, Refusals::joins).tag("refused", "join")
      .description("Hazelcast connections and joins refused: strangers, and nodes of another cluster")
      .register(registry);
  }

  /** {@code GET /metrics}, or null when metrics are off. */
  public Handler<RoutingContext> scraper() {
    return registry == null ? null : PrometheusScrapingHandler.create(registry);
  }

  private static String withoutNodeId(String address) {
    int at = address.indexOf('@');
    return at < 0 ? address : address.substring(0, at);
  }

  private static double residentBytes() {
    try {
      return Files.readAllLines(PROC_STATUS).stream().filter(line -> line.startsWith("VmRSS:"))
        .mapToDouble(line -> Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(Double.NaN);
    } catch (IOException e) {
      return Double.NaN;
    }
  }
}
