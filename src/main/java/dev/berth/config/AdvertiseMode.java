package dev.berth.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a node decides the host and ports it advertises to the cluster. */
public enum AdvertiseMode {
  /** Ask the local Docker daemon which host ports were published for this container; fail when that is impossible. */
  DOCKER,
  /** {@link #DOCKER} when running in a container whose Docker API answers, else {@link #NONE}. */
  AUTO,
  /** Advertise a host and ports given explicitly in the config. */
  STATIC,
  /** Advertise the addresses the node binds, as plain Vert.x and Hazelcast do. */
  NONE;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AdvertiseMode parse(String key, String value) {
    for (AdvertiseMode mode : values()) {
      if (mode.configName().equals(value)) {
        return mode;
      }
    }
    String known = Arrays.stream(values()).map(AdvertiseMode::configName).collect(Collectors.joining(", "));
    throw new InvalidConfigException(key, "is an unknown mode \"" + value + "\" (known: " + known + ")");
  }
}
