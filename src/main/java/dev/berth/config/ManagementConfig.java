package dev.berth.config;

/**
 * The management HTTP server ({@code /health}, {@code /cluster}, {@code /metrics}), on its own port so no routed path
 * is taken; {@code metrics} off leaves the node without metrics, at no cost to requests.
 */
public record ManagementConfig(String host, int port, boolean metrics) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9345;
  public static final boolean DEFAULT_METRICS = true;

  public ManagementConfig {
    Checks.notBlank("host", host);
    Checks.port("port", port);
  }

  static ManagementConfig fromJson(ConfigReader json) {
    json.allowOnly("host", "port", "metrics");
    return json.construct(() -> new ManagementConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("port", DEFAULT_PORT),
      json.bool("metrics", DEFAULT_METRICS)));
  }
}
