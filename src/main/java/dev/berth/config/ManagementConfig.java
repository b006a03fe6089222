package dev.berth.config;

/** The management HTTP server ({@code /health}, {@code /cluster}), on its own port so no routed path is taken. */
public record ManagementConfig(String host, int port) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9345;

  public ManagementConfig {
    Checks.notBlank("host", host);
    Checks.port("port", port);
  }

  static ManagementConfig fromJson(ConfigReader json) {
    json.allowOnly("host", "port");
    return json.construct(() -> new ManagementConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("port", DEFAULT_PORT)));
  }
}
