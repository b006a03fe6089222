package dev.berth.node;

import dev.berth.config.BerthConfig;
import dev.berth.config.Listener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tries every port the node will listen on ({@link BerthConfig#listeners()}) before anything starts, all at once, so
 * that a clash, with another process or between two of the node's own ports, is one line naming the key and the
 * variable to change, not a stack trace from deep inside Hazelcast or Netty.
 */
public final class PortCheck {

  private PortCheck() {
  }

  /** The first listener whose port is taken, described for the user, or null when all are free. */
  public static String firstConflict(BerthConfig config) {
    Map<String, Listener> bound = new HashMap<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (Listener listener : config.listeners()) {
        if (listener.port() == 0) {
          continue;
        }
        Listener twin = bound.putIfAbsent(Integer.toString(listener.port()), listener);
        if (twin != null && sharesAddress(twin, listener)) {
          return listener.key() + " and " + twin.key() + " are both port " + listener.port() + ": give each a port of"
            + " its own (set " + listener.override().name() + ")";
        }
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        try {
          socket.bind(new InetSocketAddress(listener.host(), listener.port()));
        } catch (IOException e) {
          return "cannot listen on " + listener.address() + " for " + listener.key() + ": " + e.getMessage()
            + " (another node on this machine? set " + listener.override().name() + ")";
        }
      }
      return null;
    } catch (IOException e) {
      return "cannot open a socket to check the ports: " + e.getMessage();
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a socket that only checked a port.
        }
      }
    }
  }

  /** Whether two listeners on one port would bind the same address: the same host, or one of them every interface. */
  private static boolean sharesAddress(Listener one, Listener other) {
    return one.host().equals(other.host()) || anyInterface(one.host()) || anyInterface(other.host());
  }

  private static boolean anyInterface(String host) {
    return host.equals("0.0.0.0") || host.equals("::");
  }
}
