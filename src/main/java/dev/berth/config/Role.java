package dev.berth.config;

/** What a node runs: the HTTP gateway, workers, or both. */
public enum Role implements ConfigName {
  GATEWAY,
  WORKER;

  static Role parse(String key, String value) {
    return ConfigName.parse(key, value, values(), "role");
  }
}
