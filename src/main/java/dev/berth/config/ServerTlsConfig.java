package dev.berth.config;

import java.nio.file.Path;

/**
 * HTTPS for an HTTP port's clients: the server's certificate (PEM, followed by any intermediate certificates, as a CA
 * issues them) and its private key (PEM, unencrypted). Given together or not at all; absent, the port speaks plain
 * HTTP.
 */
public record ServerTlsConfig(Path cert, Path key) {

  public ServerTlsConfig {
    if (cert == null || key == null) {
      throw new InvalidConfigException(cert == null ? "cert" : "key",
        "is missing: give cert and key together, or neither for plain HTTP");
    }
  }

  /** The files, or null when the config names neither. */
  static ServerTlsConfig fromJson(ConfigReader json) {
    json.allowOnly("cert", "key");
    if (!json.has("cert") && !json.has("key")) {
      return null;
    }
    return json.construct(() -> new ServerTlsConfig(json.path("cert"), json.path("key")));
  }
}
