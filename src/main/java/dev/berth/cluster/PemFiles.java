package dev.berth.cluster;

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
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Certificates, private keys and certificate revocation lists read from PEM files, each problem a
 * {@link TlsException} that names the file and its config key:
 * {@code /etc/berth/node.pem (cluster.tls.cert): no such file}.
 */
public final class PemFiles {

  private PemFiles() {
  }

  /** The file's text. */
  public static String read(Path file, String key) throws TlsException {
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

  /**
   * Every certificate revocation list in the file, at least one, each signed by one of {@code authorities}.
   *
   * @param authoritiesKey the config key of the authorities, and {@code remedy} how to make a list they signed: both
   *                       for the message of a list none of them signed
   */
  public static List<X509CRL> revocationLists(Path file, String key, List<X509Certificate> authorities,
    String authoritiesKey, String remedy) throws TlsException {
    String pem = read(file, key);
    List<X509CRL> lists = new ArrayList<>();
    try {
      for (CRL list : CertificateFactory.getInstance("X.509")
        .generateCRLs(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        lists.add((X509CRL) list);
      }
    } catch (CRLException | CertificateException e) {
      // The same as a file with no list at all.
      lists.clear();
    }
    if (lists.isEmpty()) {
      throw new TlsException(file + " (" + key + ") holds no PEM certificate revocation list");
    }
    for (X509CRL list : lists) {
      if (!signedByOneOf(list, authorities)) {
        throw new TlsException(file + " (" + key + ") holds a revocation list of " + list.getIssuerX500Principal()
          .getName() + " that no authority in " + authoritiesKey + " signed: " + remedy);
      }
    }
    return List.copyOf(lists);
  }

  private static boolean signedByOneOf(X509CRL list, List<X509Certificate> authorities) {
    for (X509Certificate authority : authorities) {
      if (!authority.getSubjectX500Principal().equals(list.getIssuerX500Principal())) {
        continue;
      }
      try {
        list.verify(authority.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // Another authority of the same name, perhaps.
      }
    }
    return false;
  }

  /** Every certificate in the file, in order, at least one. */
  public static List<X509Certificate> certificates(Path file, String key) throws TlsException {
    String pem = read(file, key);
    try {
      List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
        .map(X509Certificate.class::cast).toList();
      if (!certificates.isEmpty()) {
        return certificates;
      }
    } catch (CertificateException e) {
      // The same as a file with no certificate at all.
    }
    throw new TlsException(file + " (" + key + ") holds no PEM certificate");
  }

  /** The first certificate of a PEM text. */
  static X509Certificate parse(String pem) throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
      .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The file's unencrypted private key. */
  public static PrivateKey privateKey(Path file, String key) throws TlsException {
    return privateKey(read(file, key))
      .orElseThrow(() -> new TlsException(file + " (" + key + ") holds no unencrypted PEM private key"));
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

  /** Checks that the certificate holds now; {@code renewal} says what to do once it expired. */
  public static void checkValidNow(X509Certificate certificate, Path file, String key, String renewal)
    throws TlsException {
    try {
      certificate.checkValidity(new Date());
    } catch (CertificateExpiredException e) {
      throw new TlsException(file + " (" + key + ") expired on " + certificate.getNotAfter().toInstant() + ": "
        + renewal);
    } catch (CertificateNotYetValidException e) {
      throw new TlsException(file + " (" + key + ") is not valid before " + certificate.getNotBefore().toInstant()
        + ": is this host's clock right?");
    }
  }

  /** Checks that {@code key} is the private key of {@code certificate}. */
  public static void checkKeyOf(X509Certificate certificate, Path certificateFile, String certificateKey,
                                PrivateKey key, Path keyFile, String keyKey) throws TlsException {
    String probe = "does this key belong to this certificate?";
    boolean belongs;
    try {
      belongs = ClusterTls.verifies(certificate.getPublicKey(), probe, ClusterTls.sign(key, probe));
    } catch (IllegalStateException unusable) {
      belongs = false;
    }
    if (!belongs) {
      throw new TlsException(keyFile + " (" + keyKey + ") is not the key of the certificate in " + certificateFile
        + " (" + certificateKey + ")");
    }
  }
}
