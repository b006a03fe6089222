package dev.berth.node;

import dev.berth.config.BerthConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A node's name: the configured one; else, in a container, its hostname (Docker's short container id unless set);
 * else {@code <hostname>:<hazelcast port>}, unique on one machine.
 */
final class NodeNames {

  private NodeNames() {
  }

  static String of(BerthConfig config, Map<String, String> env, boolean inContainer) {
    if (config.name() != null) {
      return config.name();
    }
    return inContainer ? hostname(env) : hostname(env) + ":" + config.cluster().hazelcastPort();
  }

  private static String hostname(Map<String, String> env) {
    String fromEnv = env.get("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException notLinux) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException unknown) {
        return "localhost";
      }
    }
  }
}
