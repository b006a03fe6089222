package dev.berth.config;

/** Formats host:port, bracketing IPv6 literals as Hazelcast and URLs expect. */
public final class HostPort {

  private HostPort() {
  }

  public static String format(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
