package dev.berth.gateway;

import dev.berth.cluster.ClusterTls;
import dev.berth.cluster.PemFiles;
import dev.berth.cluster.TlsException;
import dev.berth.config.ServerTlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS on the gateway's port, for its clients: the certificate and key, and the authorities of the clients' own
 * certificates when clients must show one, are checked at start-up, so that a node with files it cannot serve stops at
 * once and says why, then handed to Vert.x with HTTP/2 offered by ALPN.
 */
public final class GatewayTls {

  private static final String CERT = "gateway.tls.cert";
  private static final String KEY = "gateway.tls.key";
  private static final String CLIENT_CA = "gateway.tls.clientCa";

  private GatewayTls() {
  }

  /**
   * The certificate clients are shown.
   *
   * @throws TlsException naming the file and its key: unreadable, no certificate or key in it, a certificate out of
   *                      its validity (the server's or a client authority's), a key that is not the certificate's
   */
  public static X509Certificate check(ServerTlsConfig files) throws TlsException {
    X509Certificate certificate = PemFiles.certificates(files.cert(), CERT).get(0);
    PrivateKey key = PemFiles.privateKey(files.key(), KEY);
    PemFiles.checkValidNow(certificate, files.cert(), CERT, "renew it where it was issued");
    PemFiles.checkKeyOf(certificate, files.cert(), CERT, key, files.key(), KEY);
    if (files.verifiesClients()) {
      for (X509Certificate authority : PemFiles.certificates(files.clientCa(), CLIENT_CA)) {
        PemFiles.checkValidNow(authority, files.clientCa(), CLIENT_CA, "give the authority's current certificate");
      }
    }
    return certificate;
  }

  /**
   * A client must finish its handshake within {@code handshakeTimeoutMs}, as it must bring a request head; with
   * {@code clientCa}, showing a certificate that one of its authorities issued.
   */
  static HttpServerOptions secure(HttpServerOptions options, ServerTlsConfig files, long handshakeTimeoutMs) {
    options.setSsl(true).setUseAlpn(true).setSslEngineOptions(ClusterTls.engine())
      .setSslHandshakeTimeout(handshakeTimeoutMs).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.cert().toString())
        .setKeyPath(files.key().toString()));
    if (files.verifiesClients()) {
      options.setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(files.clientCa().toString()));
    }
    return options;
  }
}
