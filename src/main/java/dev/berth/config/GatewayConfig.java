package dev.berth.config;

/**
 * The HTTP gateway: where it listens, how long it waits for a worker, how much request body it holds (per request, and
 * in all, which bounds its heap), and the routing table.
 */
public record GatewayConfig(
  String host,
  int httpPort,
  int instances,
  int requestTimeoutMs,
  int maxBodyBytes,
  int maxBodyBytesInFlight,
  Routes routes) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 2345;
  public static final int DEFAULT_INSTANCES = 1;
  public static final int DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

  public static final GatewayConfig DEFAULT = new GatewayConfig(DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_INSTANCES,
    DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES_IN_FLIGHT, Routes.DEFAULT);

  public GatewayConfig {
    Checks.notBlank("host", host);
    Checks.port("httpPort", httpPort);
    Checks.inRange("instances", instances, 1, 256);
    Checks.inRange("requestTimeoutMs", requestTimeoutMs, 1, 600_000);
    Checks.inRange("maxBodyBytes", maxBodyBytes, 0, 64 * 1024 * 1024);
    if (maxBodyBytesInFlight < maxBodyBytes) {
      throw new InvalidConfigException("maxBodyBytesInFlight", "must be at least maxBodyBytes (" + maxBodyBytes
        + "), or no request with the largest body could pass, was " + maxBodyBytesInFlight);
    }
    if (routes == null) {
      throw new InvalidConfigException("routes", "is missing");
    }
  }

  static GatewayConfig fromJson(ConfigReader json) {
    json.allowOnly("host", "httpPort", "instances", "requestTimeoutMs", "maxBodyBytes", "maxBodyBytesInFlight", "routes");
    return json.construct(() -> new GatewayConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("httpPort", DEFAULT_HTTP_PORT),
      json.integer("instances", DEFAULT_INSTANCES),
      json.integer("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS),
      json.integer("maxBodyBytes", DEFAULT_MAX_BODY_BYTES),
      json.integer("maxBodyBytesInFlight", DEFAULT_MAX_BODY_BYTES_IN_FLIGHT),
      json.has("routes") ? Routes.of(json.stringMap("routes")) : Routes.DEFAULT));
  }
}
