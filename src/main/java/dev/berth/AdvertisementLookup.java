package dev.berth;

import dev.berth.cluster.AdvertiseException;
import dev.berth.cluster.AdvertiseMode;
import dev.berth.cluster.Advertisement;
import dev.berth.cluster.Advertiser;
import dev.berth.cluster.ContainerIdentity;
import dev.berth.cluster.ContainerLocator;
import dev.berth.cluster.DockerInspection;
import dev.berth.config.ClusterConfig;
import dev.berth.config.EnvOverride;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Works out the advertisement in two steps: {@link #start} asks the Docker API about this container before anything
 * else happens, when the environment allows a lookup at all; {@link #resolve} completes it with the config. The
 * lookup, mostly class loading and warm-up on a cold JVM, so overlaps the node's own start-up instead of adding to it.
 */
final class AdvertisementLookup {

  private final Map<String, String> env;
  private final DockerInspection started;

  private AdvertisementLookup(Map<String, String> env, DockerInspection started) {
    this.env = env;
    this.started = started;
  }

  /** Starts inspecting this process's container when it runs in one and no variable rules out a Docker lookup. */
  static AdvertisementLookup start(Map<String, String> env) {
    String mode = env.getOrDefault(EnvOverride.BERTH_ADVERTISE.name(), "").trim().toLowerCase(Locale.ROOT);
    if (mode.equals(AdvertiseMode.NONE.configName()) || mode.equals(AdvertiseMode.STATIC.configName())) {
      return new AdvertisementLookup(env, null);
    }
    Optional<ContainerIdentity> container =
      ContainerLocator.forThisProcess().locate(blankToNull(env.get(EnvOverride.BERTH_CONTAINER_ID.name())), env);
    return new AdvertisementLookup(env, container.map(identity -> DockerInspection.start(identity, env)).orElse(null));
  }

  /** The container this node runs in, by the config's rules, or empty. */
  Optional<ContainerIdentity> container(ClusterConfig cluster) {
    return ContainerLocator.forThisProcess().locate(cluster.advertise().containerId(), env);
  }

  Advertisement resolve(ClusterConfig cluster) throws AdvertiseException {
    try {
      return Advertiser.resolve(cluster, container(cluster), env, started);
    } finally {
      if (started != null) {
        started.close();
      }
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
