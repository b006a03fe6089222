package dev.berth.cluster;

import dev.berth.config.TlsConfig;
import dev.berth.runtime.PeerCheck;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A node's TLS material, read and checked once at start-up: the cluster's certificate authority (or, while it is
 * being replaced, the old and the new one in one file), this node's
 * certificate and its private key, and the authority's revocation list when there is one (read again when it changes).
 * It secures the event bus with mutual TLS (only peers with a certificate from the same authority, and not revoked,
 * connect, either way) and signs and checks the statements by which members prove they belong.
 */
public final class ClusterTls {

  private static final String PROOF_PREFIX = "berth membership proof 1\n";
  private static final String RENEWAL = "make a new one with java -jar berth.jar certs";
  /** What {@link #checkSigned} says when the certificate holds but did not sign the text. */
  static final String NOT_SIGNED = "its signature does not verify with its certificate";

  private final TlsConfig files;
  private final List<X509Certificate> authorities;
  private final X509Certificate certificate;
  private final String certificatePem;
  private final PrivateKey key;
  private final Revocations revocations;

  private ClusterTls(TlsConfig files, List<X509Certificate> authorities, X509Certificate certificate,
                     String certificatePem, PrivateKey key, Revocations revocations) {
    this.files = files;
    this.authorities = authorities;
    this.certificate = certificate;
    this.certificatePem = certificatePem;
    this.key = key;
    this.revocations = revocations;
  }

  /**
   * @throws TlsException naming the file and what is wrong with it: unreadable, not a certificate or key, a key that
   *                      does not match its certificate, a certificate out of its validity, not from the authority
   *                      or revoked, a revocation list the authority did not sign
   */
  public static ClusterTls load(TlsConfig files) throws TlsException {
    List<X509Certificate> authorities = PemFiles.certificates(files.ca(), "cluster.tls.ca");
    String certificatePem = PemFiles.read(files.cert(), "cluster.tls.cert");
    X509Certificate certificate = PemFiles.certificates(files.cert(), "cluster.tls.cert").get(0);
    PrivateKey key = PemFiles.privateKey(files.key(), "cluster.tls.key");
    for (X509Certificate authority : authorities) {
      PemFiles.checkValidNow(authority, files.ca(), "cluster.tls.ca", RENEWAL);
    }
    PemFiles.checkValidNow(certificate, files.cert(), "cluster.tls.cert", RENEWAL);
    if (!signedBy(certificate, authorities)) {
      throw new TlsException(files.cert() + " (cluster.tls.cert) is not signed by the authority in " + files.ca()
        + " (cluster.tls.ca): every node's certificate must come from the cluster's one authority");
    }
    PemFiles.checkKeyOf(certificate, files.cert(), "cluster.tls.cert", key, files.key(), "cluster.tls.key");
    Revocations revocations = files.crl() == null ? Revocations.none() : Revocations.load(files.crl(), authorities);
    if (revocations.revoked(certificate)) {
      throw new TlsException(revokedItself(files));
    }
    return new ClusterTls(files, authorities, certificate, certificatePem, key, revocations);
  }

  private static String revokedItself(TlsConfig files) {
    return files.cert() + " (cluster.tls.cert) is revoked by " + files.crl() + " (" + Revocations.KEY + "): move its"
      + " two files away and make this node a new certificate with java -jar berth.jar certs";
  }

  /**
   * Mutual TLS on the event bus: this node's certificate, only the cluster's authority trusted, and required. The
   * revocation list is checked after each handshake ({@link #peerCheck}), not here: Vert.x copies these options
   * through JSON and reads a list only once, when the event bus starts.
   */
  public EventBusOptions secure(EventBusOptions eventBus) {
    return eventBus.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.cert().toString()).setKeyPath(files.key().toString()))
      .setTrustOptions(new PemTrustOptions().addCertPath(files.ca().toString()))
      .setTrustAll(false)
      .setClientAuth(ClientAuth.REQUIRED)
      .setSslEngineOptions(engine());
  }

  /** BoringSSL where its native library loads (the jar ships it for Linux and macOS), else the JDK's engine. */
  public static SSLEngineOptions engine() {
    return OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /** This node's certificate, as published with its proof. */
  public String certificatePem() {
    return certificatePem;
  }

  /** The subject of this node's certificate, for the start-up line. */
  public String subject() {
    return certificate.getSubjectX500Principal().getName();
  }

  /**
   * Signs the statement by which this node proves it belongs: its node id, the addresses it advertises and the
   * event-bus addresses it serves.
   */
  String prove(String nodeId, String eventBus, String hazelcast, List<String> addresses) {
    return sign(statement(nodeId, eventBus, hazelcast, addresses));
  }

  /**
   * Checks another member's proof: a certificate from this cluster's authority, valid now, that signed that member's
   * node id and addresses.
   *
   * @return what is wrong with the proof, or empty when it holds
   */
  Optional<String> check(String nodeId, String eventBus, String hazelcast, List<String> addresses,
                         String certificatePem, String signature) {
    if (certificatePem == null || signature == null) {
      return Optional.of("it published no proof of membership (no cluster.tls?)");
    }
    return checkSigned(statement(nodeId, eventBus, hazelcast, addresses), signature, certificatePem)
      .map(problem -> problem.equals(NOT_SIGNED) ? "its signature does not cover its node id and addresses" : problem);
  }

  /** Signs {@code text} with this node's key; the signature is Base64. */
  String sign(String text) {
    return sign(key, text);
  }

  /**
   * Checks that {@code certificatePem} comes from this cluster's authority, is valid now, and signed {@code text}.
   *
   * @return what is wrong, {@link #NOT_SIGNED} when only the signature fails, or empty when it holds
   */
  Optional<String> checkSigned(String text, String signature, String certificatePem) {
    X509Certificate presented;
    try {
      presented = PemFiles.parse(certificatePem);
    } catch (CertificateException | RuntimeException e) {
      return Optional.of("its certificate cannot be read");
    }
    if (!signedBy(presented, authorities)) {
      return Optional.of("its certificate (" + presented.getSubjectX500Principal().getName() + ") is not from this"
        + " cluster's authority");
    }
    Optional<String> revoked = revocation(presented);
    if (revoked.isPresent()) {
      return revoked.map(why -> "its " + why);
    }
    try {
      presented.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return Optional.of("its certificate is not valid now (" + e.getMessage() + ")");
    }
    return verifies(presented.getPublicKey(), text, signature) ? Optional.empty() : Optional.of(NOT_SIGNED);
  }

  /**
   * Reads the revocation list again if its file changed (a file that cannot be used now is logged, and the list read
   * before stays).
   *
   * @return whether the list changed
   */
  boolean refreshRevocations() {
    return revocations.refresh();
  }

  /** Why this node must stop, when the revocation list, as it stands, revokes its own certificate. */
  Optional<String> selfRevocation() {
    return revocations.revoked(certificate) ? Optional.of(revokedItself(files)) : Optional.empty();
  }

  /** Whether the revocation list, as it stands, revokes a certificate that {@link #check} accepted. */
  boolean revoked(X509Certificate certificate) {
    return revocations.revoked(certificate);
  }

  /**
   * The event bus's check of a peer once its TLS handshake succeeded, and again after the list changed: its certificate
   * not revoked by the list as it stands then; with no list, none.
   */
  public PeerCheck peerCheck() {
    if (files.crl() == null) {
      return PeerCheck.NONE;
    }
    return new PeerCheck() {
      @Override
      public Optional<String> refusal(X509Certificate certificate) {
        return revocation(certificate);
      }

      @Override
      public long version() {
        return revocations.version();
      }
    };
  }

  private Optional<String> revocation(X509Certificate certificate) {
    return revocations.revoked(certificate) ? Optional.of("certificate (" + certificate.getSubjectX500Principal()
      .getName() + ", serial " + certificate.getSerialNumber().toString(16) + ") is revoked (" + Revocations.KEY + ")")
      : Optional.empty();
  }

  /** A certificate that {@link #check} accepted, read. */
  static X509Certificate accepted(String certificatePem) {
    try {
      return PemFiles.parse(certificatePem);
    } catch (CertificateException impossible) {
      throw new IllegalStateException("a certificate that was checked cannot be read", impossible);
    }
  }

  /** Until when this node's own certificate holds. */
  public Instant validUntil() {
    return certificate.getNotAfter().toInstant();
  }

  private static String statement(String nodeId, String eventBus, String hazelcast, List<String> addresses) {
    return PROOF_PREFIX + nodeId + "\n" + eventBus + "\n" + hazelcast + "\n"
      + String.join(",", addresses.stream().sorted().toList());
  }

  static String sign(PrivateKey key, String statement) {
    try {
      Signature signature = Signature.getInstance(algorithm(key.getAlgorithm()));
      signature.initSign(key);
      signature.update(statement.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
    }
  }

  static boolean verifies(PublicKey publicKey, String statement, String signatureBase64) {
    try {
      Signature signature = Signature.getInstance(algorithm(publicKey.getAlgorithm()));
      signature.initVerify(publicKey);
      signature.update(statement.getBytes(StandardCharsets.UTF_8));
      return signature.verify(Base64.getDecoder().decode(signatureBase64));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String algorithm(String keyAlgorithm) {
    return keyAlgorithm.equals("EC") ? "SHA256withECDSA" : "SHA256with" + keyAlgorithm;
  }

  private static boolean signedBy(X509Certificate certificate, List<X509Certificate> authorities) {
    for (X509Certificate authority : authorities) {
      try {
        certificate.verify(authority.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // Signed by another of the authorities, or by none.
      }
    }
    return false;
  }
}
