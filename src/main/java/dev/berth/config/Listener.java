package dev.berth.config;

/**
 * A port a node listens on: what it is for, the config key and the variable that set it, and where it binds. A port
 * of 0 is any free port, chosen when the node binds it.
 */
public record Listener(String purpose, String key, EnvOverride override, String host, int port) {

  public String address() {
    return HostPort.format(host, port);
  }
}
