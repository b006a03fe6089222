package dev.berth.config;

/**
 * What the gateway's HTTP server grants one client: a connection with no request in progress must bring a whole
 * request head within {@code headerTimeoutMs} (an idle keep-alive connection is closed then too); a request's body
 * must follow its head within {@code bodyTimeoutMs}; a connection on which nothing moves for {@code idleTimeoutMs} is
 * closed, whatever it is doing; at most {@code maxConnections} are open at once.
 */
public record ConnectionLimits(int headerTimeoutMs, int bodyTimeoutMs, int idleTimeoutMs, int maxConnections) {

  public static final int DEFAULT_HEADER_TIMEOUT_MS = 5_000;
  public static final int DEFAULT_BODY_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final ConnectionLimits DEFAULT = new ConnectionLimits(DEFAULT_HEADER_TIMEOUT_MS,
    DEFAULT_BODY_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS);

  public ConnectionLimits {
    Checks.inRange("headerTimeoutMs", headerTimeoutMs, 1, 600_000);
    Checks.inRange("bodyTimeoutMs", bodyTimeoutMs, 1, 3_600_000);
    Checks.inRange("idleTimeoutMs", idleTimeoutMs, 1, 3_600_000);
    Checks.inRange("maxConnections", maxConnections, 1, 1_000_000);
  }

  static ConnectionLimits fromJson(ConfigReader json) {
    return json.construct(() -> new ConnectionLimits(
      json.integer("headerTimeoutMs", DEFAULT_HEADER_TIMEOUT_MS),
      json.integer("bodyTimeoutMs", DEFAULT_BODY_TIMEOUT_MS),
      json.integer("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS),
      json.integer("maxConnections", DEFAULT_MAX_CONNECTIONS)));
  }
}
