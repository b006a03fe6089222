package dev.berth.config;

import java.nio.file.Path;

/**
 * HTTPS for an HTTP port's clients: the server's certificate (PEM, followed by any intermediate certificates, as a CA
 * issues them) and its private key (PEM, unencrypted). Given together or not at all; absent, the port speaks plain
 * HTTP. {@code clientCa}, when given, holds the authorities (PEM) whose certificates clients must show to connect;
 * null lets in any client. {@code clientCrl}, only with {@code clientCa}, holds their revocation lists (PEM): a client
 * whose certificate one of them revokes is refused; null revokes none.
 */
public record ServerTlsConfig(Path cert, Path key, Path clientCa, Path clientCrl) {

  public ServerTlsConfig {
    if (cert == null || key == null) {
      throw new InvalidConfigException(cert == null ? "cert" : "key",
        "is missing: give cert and key together, or neither for plain HTTP");
    }
    if (clientCrl != null && clientCa == null) {
      throw new InvalidConfigException("clientCrl", "needs clientCa: it revokes certificates that clientCa's"
        + " authorities issued to clients");
    }
  }

  /** Without revocation lists. */
  public ServerTlsConfig(Path cert, Path key, Path clientCa) {
    this(cert, key, clientCa, null);
  }

  /** Whether clients must show a certificate from {@code clientCa}. */
  public boolean verifiesClients() {
    return clientCa != null;
  }

  /** The files, or null when the config names none. */
  static ServerTlsConfig fromJson(ConfigReader json) {
    json.allowOnly("cert", "key", "clientCa", "clientCrl");
    if (!json.has("cert") && !json.has("key") && !json.has("clientCa") && !json.has("clientCrl")) {
      return null;
    }
    return json.construct(() -> new ServerTlsConfig(json.path("cert"), json.path("key"), json.path("clientCa"),
      json.path("clientCrl")));
  }
}
