package dev.berth.cluster;

import dev.berth.config.TlsConfig;

import java.nio.file.Path;

/** A node's credential from the files {@link ClusterCertificates} made in a directory, as a node loads them. */
final class NodeCredentials {

  private NodeCredentials() {
  }

  static JoinCredential of(Path directory, String node) throws TlsException {
    return JoinCredential.of(ClusterTls.load(new TlsConfig(directory.resolve(ClusterCertificates.AUTHORITY),
      directory.resolve(node + ".pem"), directory.resolve(node + "-key.pem"))));
  }
}
