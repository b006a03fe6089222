package dev.berth.config;

import java.nio.file.Path;

/**
 * HTTPS for an HTTP port's clients: the server's certificate (PEM, followed by any intermediate certificates, as a CA
 * issues them) and its private key (PEM, unencrypted). Given together or not at all; absent, the port speaks plain
 * HTTP. {@code clientCa}, when given, holds the authorities (PEM) whose certificates clients must show to connect;
 * null lets in any client.
 */
public record ServerTlsConfig(Path cert, Path key, Path clientCa) {

  public ServerTlsConfig {
    if (cert == null || key == null) {
      throw new InvalidConfigException(cert == null ? "cert" : "key",
        "is missing: give cert and key together, or neither for plain HTTP");
    }
  }

  /** Whether clients must show a certificate from {@code clientCa}. */
  public boolean verifiesClients() {
    return clientCa != null;
  }

  /** The files, or null when the config names none. */
  static ServerTlsConfig fromJson(ConfigReader json) {
    json.allowOnly("cert", "key", "clientCa");
    if (!json.has("cert") && !json.has("key") && !json.has("clientCa")) {
      return null;
    }
    return json.construct(() -> new ServerTlsConfig(json.path("cert"), json.path("key"), json.path("clientCa")));
  }
}
