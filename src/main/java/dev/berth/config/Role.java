package dev.berth.config;

/** What a node runs: the HTTP gateway, workers, or both. */
public enum Role {
  GATEWAY,
  WORKER;

  public String configName() {
    return ConfigNames.of(this);
  }

  static Role parse(String key, String value) {
    return ConfigNames.parse(key, value, values(), "role");
  }
}
