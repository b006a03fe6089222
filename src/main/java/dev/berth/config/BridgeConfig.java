package dev.berth.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The TCP event-bus bridge through which programs in any language serve addresses: where it listens, the only
 * addresses its clients may register, the token a client must show to register (given as is, or read from a file such
 * as a Docker secret), the largest frame it reads, how long
 * it waits for a client's reply, and how many requests one client may hold unanswered.
 */
public record BridgeConfig(String host, int port, List<String> addresses, String token, int maxFrameBytes,
                           int timeoutMs, int maxPendingPerClient) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 7000;
  /** A request body at the gateway's default limit, Base64-encoded, with room for its headers. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 2 * 1024 * 1024;
  public static final int DEFAULT_TIMEOUT_MS = GatewayConfig.DEFAULT_REQUEST_TIMEOUT_MS;
  public static final int DEFAULT_MAX_PENDING_PER_CLIENT = 1_000;
  /** Shorter tokens are too easy to guess over a network. */
  static final int MIN_TOKEN_LENGTH = 16;

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
        + " BERTH_BRIDGE_TOKEN_FILE (bridge.tokenFile), to a secret of at least " + MIN_TOKEN_LENGTH + " characters that"
        + " bridge clients must show");
    }
    if (token.length() < MIN_TOKEN_LENGTH) {
      throw new InvalidConfigException("token", "is " + token.length() + " characters long: use at least "
        + MIN_TOKEN_LENGTH + " (openssl rand -hex 16)");
    }
    Checks.inRange("maxFrameBytes", maxFrameBytes, 1024, 64 * 1024 * 1024);
    Checks.inRange("timeoutMs", timeoutMs, 1, 600_000);
    Checks.inRange("maxPendingPerClient", maxPendingPerClient, 1, 100_000);
  }

  /** The bridge, or null when the config has no {@code bridge} object. */
  static BridgeConfig fromJson(ConfigReader json, boolean present) {
    if (!present) {
      return null;
    }
    json.allowOnly("host", "port", "addresses", "token", "tokenFile", "maxFrameBytes", "timeoutMs",
      "maxPendingPerClient");
    String token = json.string("token", null);
    String tokenFile = json.string("tokenFile", null);
    if (token != null && tokenFile != null) {
      throw new InvalidConfigException(json.key("tokenFile"), "is set with token: give the token one way");
    }
    return json.construct(() -> new BridgeConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("port", DEFAULT_PORT),
      json.strings("addresses", List.of()),
      tokenFile == null ? token : readToken(json.key("tokenFile"), Path.of(tokenFile)),
      json.integer("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES),
      json.integer("timeoutMs", DEFAULT_TIMEOUT_MS),
      json.integer("maxPendingPerClient", DEFAULT_MAX_PENDING_PER_CLIENT)));
  }

  /** The file's content without the line break at its end, as {@code openssl rand -hex 16 > file} writes it. */
  private static String readToken(String key, Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(key, "names " + file + ", which does not exist");
    } catch (AccessDeniedException e) {
      throw new InvalidConfigException(key, "names " + file + ", which this user may not read");
    } catch (IOException e) {
      throw new InvalidConfigException(key, "names " + file + ", which cannot be read: " + e.getMessage());
    }
  }

  /** A record's toString would print the token into logs. */
  @Override
  public String toString() {
    return "BridgeConfig[" + HostPort.format(host, port) + ", addresses=" + addresses + "]";
  }
}
