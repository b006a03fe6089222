package dev.berth.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a node runs: the HTTP gateway, workers, or both. */
public enum Role {
  GATEWAY,
  WORKER;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Role parse(String key, String value) {
    for (Role role : values()) {
      if (role.configName().equals(value)) {
        return role;
      }
    }
    String known = Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(", "));
    throw new InvalidConfigException(key, "is an unknown role \"" + value + "\" (known: " + known + ")");
  }
}
