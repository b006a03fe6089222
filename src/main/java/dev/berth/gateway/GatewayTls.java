package dev.berth.gateway;

import dev.berth.cluster.ClusterTls;
import dev.berth.cluster.PemFiles;
import dev.berth.cluster.TlsException;
import dev.berth.config.ServerTlsConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS on the gateway's port, for its clients: the certificate and key are checked at start-up, so that a node with
 * files it cannot serve stops at once and says why, then handed to Vert.x with HTTP/2 offered by ALPN.
 */
public final class GatewayTls {

  private static final String CERT = "gateway.tls.cert";
  private static final String KEY = "gateway.tls.key";

  private GatewayTls() {
  }

  /**
   * The certificate clients are shown.
   *
   * @throws TlsException naming the file and its key: unreadable, no certificate or key in it, a certificate out of
   *                      its validity, a key that is not the certificate's
   */
  public static X509Certificate check(ServerTlsConfig files) throws TlsException {
    X509Certificate certificate = PemFiles.certificates(files.cert(), CERT).get(0);
    PrivateKey key = PemFiles.privateKey(files.key(), KEY);
    PemFiles.checkValidNow(certificate, files.cert(), CERT, "renew it where it was issued");
    PemFiles.checkKeyOf(certificate, files.cert(), CERT, key, files.key(), KEY);
    return certificate;
  }

  /** A client must finish its handshake within {@code handshakeTimeoutMs}, as it must bring a request head. */
  static HttpServerOptions secure(HttpServerOptions options, ServerTlsConfig files, long handshakeTimeoutMs) {
    return options.setSsl(true).setUseAlpn(true).setSslEngineOptions(ClusterTls.engine())
      .setSslHandshakeTimeout(handshakeTimeoutMs).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.cert().toString())
        .setKeyPath(files.key().toString()));
  }
}
