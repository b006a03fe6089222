package dev.berth.config;

/**
 * The management HTTP server ({@code /health}, {@code /cluster}, {@code /metrics}, the page at {@code /}), on its own
 * port so no routed path is taken; {@code metrics} off leaves the node without metrics, at no cost to requests;
 * {@code eventBusMetrics} adds Vert.x's own event-bus series, which cost every message a few meter lookups.
 */
public record ManagementConfig(String host, int port, boolean metrics, boolean eventBusMetrics) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9345;
  public static final boolean DEFAULT_METRICS = true;
  public static final boolean DEFAULT_EVENT_BUS_METRICS = false;

  public ManagementConfig {
    Checks.notBlank("host", host);
    Checks.port("port", port);
    if (eventBusMetrics && !metrics) {
      throw new InvalidConfigException("eventBusMetrics", "needs metrics: it adds to them, and metrics is false");
    }
  }

  static ManagementConfig fromJson(ConfigReader json) {
    json.allowOnly("host", "port", "metrics", "eventBusMetrics");
    return json.construct(() -> new ManagementConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("port", DEFAULT_PORT),
      json.bool("metrics", DEFAULT_METRICS),
      json.bool("eventBusMetrics", DEFAULT_EVENT_BUS_METRICS)));
  }
}
