package dev.berth.node;

import dev.berth.config.BerthConfig;
import dev.berth.config.EnvOverride;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Tries every port the node will listen on before anything starts, so that a clash is one line naming the key and
 * the variable to change, not a stack trace from deep inside Hazelcast or Netty.
 */
public final class PortCheck {

  private record Listener(String key, EnvOverride override, String host, int port) {
  }

  private PortCheck() {
  }

  /** The first listener whose port is taken, described for the user, or null when all are free. */
  public static String firstConflict(BerthConfig config) {
    for (Listener listener : listeners(config)) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(listener.host(), listener.port()));
      } catch (IOException e) {
        return "cannot listen on " + listener.host() + ":" + listener.port() + " for " + listener.key() + ": "
          + e.getMessage() + " (another node on this machine? set " + listener.override().name() + ")";
      }
    }
    return null;
  }

  private static List<Listener> listeners(BerthConfig config) {
    List<Listener> listeners = new ArrayList<>();
    listeners.add(new Listener("cluster.hazelcastPort", EnvOverride.BERTH_HAZELCAST_PORT,
      config.cluster().host(), config.cluster().hazelcastPort()));
    if (config.cluster().eventBusPort() != 0) {
      listeners.add(new Listener("cluster.eventBusPort", EnvOverride.BERTH_EVENTBUS_PORT,
        config.cluster().host(), config.cluster().eventBusPort()));
    }
    listeners.add(new Listener("management.port", EnvOverride.BERTH_MANAGEMENT_PORT,
      config.management().host(), config.management().port()));
    if (config.runsGateway()) {
      listeners.add(new Listener("gateway.httpPort", EnvOverride.BERTH_HTTP_PORT,
        config.gateway().host(), config.gateway().httpPort()));
    }
    return listeners;
  }
}
