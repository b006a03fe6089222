package dev.berth.config;

import java.nio.file.Path;

/**
 * The event bus's mutual TLS and the proof of membership built on it: the cluster's certificate authority, this
 * node's certificate and its private key, all PEM files. Given together or not at all; absent, the cluster is plain.
 * {@code crl}, when given, holds the authority's revocation list (PEM): the node certificates it revokes do not count.
 */
public record TlsConfig(Path ca, Path cert, Path key, Path crl) {

  public TlsConfig {
    if (ca == null || cert == null || key == null) {
      throw new InvalidConfigException(ca == null ? "ca" : cert == null ? "cert" : "key",
        "is missing: give ca, cert and key together, or none of them for a plain cluster");
    }
  }

  /** The three files, and no revocation list. */
  public TlsConfig(Path ca, Path cert, Path key) {
    this(ca, cert, key, null);
  }

  /** The TLS files, or null when the config names none of them. */
  static TlsConfig fromJson(ConfigReader json) {
    json.allowOnly("ca", "cert", "key", "crl");
    if (!json.has("ca") && !json.has("cert") && !json.has("key") && !json.has("crl")) {
      return null;
    }
    return json.construct(() -> new TlsConfig(json.path("ca"), json.path("cert"), json.path("key"), json.path("crl")));
  }
}
