package dev.berth.gateway;

import dev.berth.cluster.ClusterTls;
import dev.berth.cluster.PemFiles;
import dev.berth.cluster.TlsException;
import dev.berth.config.ServerTlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS on the gateway's port, for its clients: the certificate and key, and the authorities of the clients' own
 * certificates when clients must show one, with their revocation lists, are checked at start-up, so that a node with
 * files it cannot serve stops at once and says why, then handed to Vert.x with HTTP/2 offered by ALPN.
 */
public final class GatewayTls {

  private static final String CERT = "gateway.tls.cert";
  private static final String KEY = "gateway.tls.key";
  private static final String CLIENT_CA = "gateway.tls.clientCa";
  private static final String CLIENT_CRL = "gateway.tls.clientCrl";

  /** What the files hold, checked: the certificate clients are shown, and the lists revoking clients' certificates. */
  public record Checked(X509Certificate certificate, List<X509CRL> clientRevocations) {

    /** Whether one of the lists revokes the certificate a client showed. */
    boolean revokes(X509Certificate client) {
      return clientRevocations.stream().anyMatch(list -> list.isRevoked(client));
    }
  }

  private GatewayTls() {
  }

  /**
   * The certificate clients are shown, and the lists of revoked client certificates.
   *
   * @throws TlsException naming the file and its key: unreadable, no certificate or key in it, a certificate out of
   *                      its validity (the server's or a client authority's), a key that is not the certificate's, no
   *                      revocation list in {@code clientCrl} or one that none of the clients' authorities signed
   */
  public static Checked check(ServerTlsConfig files) throws TlsException {
    X509Certificate certificate = PemFiles.certificates(files.cert(), CERT).get(0);
    PrivateKey key = PemFiles.privateKey(files.key(), KEY);
    PemFiles.checkValidNow(certificate, files.cert(), CERT, "renew it where it was issued");
    PemFiles.checkKeyOf(certificate, files.cert(), CERT, key, files.key(), KEY);
    if (!files.verifiesClients()) {
      return new Checked(certificate, List.of());
    }
    List<X509Certificate> authorities = PemFiles.certificates(files.clientCa(), CLIENT_CA);
    for (X509Certificate authority : authorities) {
      PemFiles.checkValidNow(authority, files.clientCa(), CLIENT_CA, "give the authority's current certificate");
    }
    return new Checked(certificate, files.clientCrl() == null ? List.of()
      : PemFiles.revocationLists(files.clientCrl(), CLIENT_CRL, authorities, CLIENT_CA,
        "make it with that authority's key (java -jar berth.jar revoke, or openssl ca -gencrl)"));
  }

  /** The certificate the client of the connection showed; the handshake required one, and verified it. */
  static X509Certificate clientCertificate(HttpConnection connection) {
    try {
      return (X509Certificate) connection.peerCertificates().get(0);
    } catch (SSLPeerUnverifiedException impossible) {
      throw new IllegalStateException("a client certificate was required, and none was verified", impossible);
    }
  }

  /**
   * A client must finish its handshake within {@code handshakeTimeoutMs}, as it must bring a request head; with
   * {@code clientCa}, showing a certificate that one of its authorities issued, and that {@code clientCrl} does not
   * revoke (Vert.x checks each client's certificates against the lists).
   */
  static HttpServerOptions secure(HttpServerOptions options, ServerTlsConfig files, long handshakeTimeoutMs) {
    options.setSsl(true).setUseAlpn(true).setSslEngineOptions(ClusterTls.engine())
      .setSslHandshakeTimeout(handshakeTimeoutMs).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.cert().toString())
        .setKeyPath(files.key().toString()));
    if (files.verifiesClients()) {
      options.setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(files.clientCa().toString()));
      if (files.clientCrl() != null) {
        options.addCrlPath(files.clientCrl().toString());
      }
    }
    return options;
  }
}
