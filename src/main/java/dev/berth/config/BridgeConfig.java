package dev.berth.config;

import java.util.List;

/**
 * The TCP event-bus bridge through which programs in any language serve addresses: where it listens, the only
 * addresses its clients may register, the token a client must show to register (given as is, or read from a file such
 * as a Docker secret), the largest frame it reads, how long
 * it waits for a client's reply, how many requests one client may hold unanswered, and how long an address whose last
 * client left keeps its requests for the next client.
 */
public record BridgeConfig(String host, int port, List<String> addresses, String token, int maxFrameBytes,
                           int timeoutMs, int maxPendingPerClient, int handoverMs) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 7000;
  /** A request body at the gateway's default limit, Base64-encoded, with room for its headers. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 2 * 1024 * 1024;
  public static final int DEFAULT_TIMEOUT_MS = GatewayConfig.DEFAULT_REQUEST_TIMEOUT_MS;
  public static final int DEFAULT_MAX_PENDING_PER_CLIENT = 1_000;
  /** Long enough for a replacement worker to connect, short enough to leave a request time to be answered. */
  public static final int DEFAULT_HANDOVER_MS = 2_000;

  public BridgeConfig {
    Checks.notBlank("host", host);
    Checks.port("port", port);
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new InvalidConfigException("addresses", "is missing: list the addresses bridge clients may serve");
    }
    for (int i = 0; i < addresses.size(); i++) {
      Checks.notBlank("addresses[" + i + "]", addresses.get(i));
      if (addresses.get(i).startsWith("__")) {
        throw new InvalidConfigException("addresses[" + i + "]", "is \"" + addresses.get(i) + "\": addresses starting"
          + " with __ belong to berth and Vert.x");
      }
    }
    if (token == null || token.isBlank()) {
      throw new InvalidConfigException("token", "is missing: set BERTH_BRIDGE_TOKEN (or bridge.token), or"
        + " BERTH_BRIDGE_TOKEN_FILE (bridge.tokenFile), to a secret of at least " + Checks.MIN_SECRET_LENGTH + " characters that"
        + " bridge clients must show");
    }
    Checks.secretLength("token", token);
    Checks.inRange("maxFrameBytes", maxFrameBytes, 1024, 64 * 1024 * 1024);
    Checks.inRange("timeoutMs", timeoutMs, 1, 600_000);
    Checks.inRange("maxPendingPerClient", maxPendingPerClient, 1, 100_000);
    Checks.inRange("handoverMs", handoverMs, 0, 600_000);
  }

  /** The bridge, or null when the config has no {@code bridge} object. */
  static BridgeConfig fromJson(ConfigReader json, boolean present) {
    if (!present) {
      return null;
    }
    json.allowOnly("host", "port", "addresses", "token", "tokenFile", "maxFrameBytes", "timeoutMs",
      "maxPendingPerClient", "handoverMs");
    String token = json.secret("token", "tokenFile");
    return json.construct(() -> new BridgeConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("port", DEFAULT_PORT),
      json.strings("addresses", List.of()),
      token,
      json.integer("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES),
      json.integer("timeoutMs", DEFAULT_TIMEOUT_MS),
      json.integer("maxPendingPerClient", DEFAULT_MAX_PENDING_PER_CLIENT),
      json.integer("handoverMs", DEFAULT_HANDOVER_MS)));
  }

  /** A record's toString would print the token into logs. */
  @Override
  public String toString() {
    return "BridgeConfig[" + HostPort.format(host, port) + ", addresses=" + addresses + "]";
  }
}
