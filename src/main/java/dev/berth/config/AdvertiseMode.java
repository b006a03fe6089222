package dev.berth.config;

/** How a node decides the host and ports it advertises to the cluster. */
public enum AdvertiseMode implements ConfigName {
  /** Ask the local Docker daemon which host ports were published for this container; fail when that is impossible. */
  DOCKER,
  /** {@link #DOCKER} when running in a container whose Docker API answers, else {@link #NONE}. */
  AUTO,
  /** Advertise a host and ports given explicitly in the config. */
  STATIC,
  /** Advertise the addresses the node binds, as plain Vert.x and Hazelcast do. */
  NONE;

  public static AdvertiseMode parse(String key, String value) {
    return ConfigName.parse(key, value, values(), "mode");
  }
}
