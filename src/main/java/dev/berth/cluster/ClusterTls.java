package dev.berth.cluster;

import dev.berth.config.TlsConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * A node's TLS material, read and checked once at start-up: the cluster's certificate authority (or, while it is
 * being replaced, the old and the new one in one file), this node's
 * certificate and its private key. It secures the event bus with mutual TLS (only peers with a certificate from the
 * same authority connect, either way) and signs and checks the statements by which members prove they belong.
 */
public final class ClusterTls {

  private static final String PROOF_PREFIX = "berth membership proof 1\n";
  /** What {@link #checkSigned} says when the certificate holds but did not sign the text. */
  static final String NOT_SIGNED = "its signature does not verify with its certificate";

  private final TlsConfig files;
  private final List<X509Certificate> authorities;
  private final X509Certificate certificate;
  private final String certificatePem;
  private final PrivateKey key;

  private ClusterTls(TlsConfig files, List<X509Certificate> authorities, X509Certificate certificate,
                     String certificatePem, PrivateKey key) {
    this.files = files;
    this.authorities = authorities;
    this.certificate = certificate;
    this.certificatePem = certificatePem;
    this.key = key;
  }

  /**
   * @throws TlsException naming the file and what is wrong with it: unreadable, not a certificate or key, a key that
   *                      does not match its certificate, a certificate out of its validity or not from the authority
   */
  public static ClusterTls load(TlsConfig files) throws TlsException {
    List<X509Certificate> authorities = authorities(files.ca());
    String certificatePem = read(files.cert(), "cluster.tls.cert");
    X509Certificate certificate = certificate(files.cert(), "cluster.tls.cert", certificatePem);
    PrivateKey key = privateKey(files.key());
    for (X509Certificate authority : authorities) {
      check(authority, files.ca(), "cluster.tls.ca");
    }
    check(certificate, files.cert(), "cluster.tls.cert");
    if (!signedBy(certificate, authorities)) {
      throw new TlsException(files.cert() + " (cluster.tls.cert) is not signed by the authority in " + files.ca()
        + " (cluster.tls.ca): every node's certificate must come from the cluster's one authority");
    }
    String probe = "does this key belong to this certificate?";
    if (!verifies(certificate.getPublicKey(), probe, sign(key, probe))) {
      throw new TlsException(files.key() + " (cluster.tls.key) is not the key of the certificate in " + files.cert()
        + " (cluster.tls.cert)");
    }
    return new ClusterTls(files, authorities, certificate, certificatePem, key);
  }

  /** Mutual TLS on the event bus: this node's certificate, only the cluster's authority trusted, and required. */
  public EventBusOptions secure(EventBusOptions eventBus) {
    return eventBus.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.cert().toString()).setKeyPath(files.key().toString()))
      .setTrustOptions(new PemTrustOptions().addCertPath(files.ca().toString()))
      .setTrustAll(false)
      .setClientAuth(ClientAuth.REQUIRED)
      .setSslEngineOptions(OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
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
      presented = parse(certificatePem);
    } catch (CertificateException | RuntimeException e) {
      return Optional.of("its certificate cannot be read");
    }
    if (!signedBy(presented, authorities)) {
      return Optional.of("its certificate (" + presented.getSubjectX500Principal().getName() + ") is not from this"
        + " cluster's authority");
    }
    try {
      presented.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return Optional.of("its certificate is not valid now (" + e.getMessage() + ")");
    }
    return verifies(presented.getPublicKey(), text, signature) ? Optional.empty() : Optional.of(NOT_SIGNED);
  }

  /** Until when a certificate that {@link #check} accepted holds. */
  Instant validUntil(String certificatePem) {
    try {
      return parse(certificatePem).getNotAfter().toInstant();
    } catch (CertificateException e) {
      return Instant.MIN;
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

  private static String sign(PrivateKey key, String statement) {
    try {
      Signature signature = Signature.getInstance(algorithm(key.getAlgorithm()));
      signature.initSign(key);
      signature.update(statement.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
    }
  }

  private static boolean verifies(PublicKey publicKey, String statement, String signatureBase64) {
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

  private static void check(X509Certificate certificate, Path file, String key) throws TlsException {
    try {
      certificate.checkValidity(new Date());
    } catch (CertificateExpiredException e) {
      throw new TlsException(file + " (" + key + ") expired on " + certificate.getNotAfter().toInstant()
        + ": make a new one with java -jar berth.jar certs");
    } catch (CertificateNotYetValidException e) {
      throw new TlsException(file + " (" + key + ") is not valid before " + certificate.getNotBefore().toInstant()
        + ": is this host's clock right?");
    }
  }

  /** Every certificate in the file: one authority, or the old and the new while the authority is replaced. */
  private static List<X509Certificate> authorities(Path file) throws TlsException {
    String pem = read(file, "cluster.tls.ca");
    try {
      List<X509Certificate> authorities = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
        .map(X509Certificate.class::cast).toList();
      if (!authorities.isEmpty()) {
        return authorities;
      }
    } catch (CertificateException e) {
      // The same as a file with no certificate at all.
    }
    throw new TlsException(file + " (cluster.tls.ca) holds no PEM certificate");
  }

  private static X509Certificate certificate(Path file, String key, String pem) throws TlsException {
    try {
      return parse(pem);
    } catch (CertificateException e) {
      throw new TlsException(file + " (" + key + ") holds no PEM certificate");
    }
  }

  private static X509Certificate parse(String pem) throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
      .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static PrivateKey privateKey(Path file) throws TlsException {
    return privateKey(read(file, "cluster.tls.key"))
      .orElseThrow(() -> new TlsException(file + " (cluster.tls.key) holds no unencrypted PEM private key"));
  }

  /** A PEM private key in any of the usual forms: PKCS#8, or the EC and RSA key pairs OpenSSL writes. */
  static Optional<PrivateKey> privateKey(String pem) {
    try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
      Object parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) {
        return Optional.of(converter.getPrivateKey(info));
      }
      if (parsed instanceof PEMKeyPair pair) {
        return Optional.of(converter.getKeyPair(pair).getPrivate());
      }
    } catch (IOException | RuntimeException unreadable) {
      // The same as a file with no key at all.
    }
    return Optional.empty();
  }

  private static String read(Path file, String key) throws TlsException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsException(file + " (" + key + "): no such file");
    } catch (AccessDeniedException e) {
      throw new TlsException(file + " (" + key + "): permission denied");
    } catch (IOException e) {
      throw new TlsException(file + " (" + key + "): cannot read it: " + e.getMessage());
    }
  }
}
