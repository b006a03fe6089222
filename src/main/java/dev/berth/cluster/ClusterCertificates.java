package dev.berth.cluster;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * {@code java -jar berth.jar certs [--ca-key <file>] <dir> <node>...}: a cluster's certificate authority and a
 * certificate for each node, as PEM files. The authority ({@code ca.pem}, its key {@code ca-key.pem} or the file given)
 * is made once and reused, so that nodes added later get certificates from the same one; a node whose files exist keeps
 * them, so a directory holding the authority's certificate but not its key (as copied to another host) is enough for
 * nodes already made. Keys are EC P-256, written readable by their owner only.
 *
 * <p>{@code java -jar berth.jar revoke [--ca-key <file>] <dir> <node>...}: the authority revokes the nodes' certificates
 * in its revocation list {@code <dir>/crl.pem} (made, or extended; with no node, made empty or signed again), and their
 * files move to {@code <dir>/revoked/}, so that {@code certs} makes those nodes new ones.
 */
public final class ClusterCertificates {

  public static final String AUTHORITY = "ca.pem";
  public static final String AUTHORITY_KEY = "ca-key.pem";
  public static final String REVOCATIONS = "crl.pem";
  static final String REVOKED = "revoked";
  static final Duration AUTHORITY_VALIDITY = Duration.ofDays(3650);
  static final Duration NODE_VALIDITY = Duration.ofDays(825);
  private static final String SIGNATURE = "SHA256withECDSA";

  private final Path directory;
  private final Path authorityKeyFile;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** The authority's key beside its certificate, {@code <dir>/ca-key.pem}. */
  public ClusterCertificates(Path directory) {
    this(directory, directory.resolve(AUTHORITY_KEY));
  }

  /** @param authorityKeyFile where the authority's key is, or is made: apart from the nodes' files keeps it off them */
  public ClusterCertificates(Path directory, Path authorityKeyFile) {
    this(directory, authorityKeyFile, Clock.systemUTC());
  }

  /** Certificates valid from {@code clock}'s now: a test makes expired and not yet valid ones with it. */
  ClusterCertificates(Path directory, Path authorityKeyFile, Clock clock) {
    this.directory = directory;
    this.authorityKeyFile = authorityKeyFile;
    this.clock = clock;
  }

  /** The node's certificate file in the directory. */
  public static String certificateOf(String node) {
    return node + ".pem";
  }

  /** The node's key file in the directory. */
  public static String keyOf(String node) {
    return node + "-key.pem";
  }

  /**
   * Makes what is missing.
   *
   * @return one line for each file made or kept
   * @throws IOException when a file cannot be written, or a node needs a certificate and the authority's key is not
   *                     there to sign it
   */
  public List<String> make(List<String> nodes) throws IOException, GeneralSecurityException {
    Files.createDirectories(directory);
    List<String> report = new ArrayList<>();
    List<String> missing = nodes.stream().filter(node -> !Files.exists(directory.resolve(certificateOf(node)))
      || !Files.exists(directory.resolve(keyOf(node)))).toList();
    Path authorityFile = directory.resolve(AUTHORITY);
    boolean hasAuthority = Files.exists(authorityFile);
    boolean hasAuthorityKey = Files.exists(authorityKeyFile);
    if (hasAuthority != hasAuthorityKey && (!hasAuthority || !missing.isEmpty())) {
      throw new IOException(hasAuthority
        ? "the authority's key " + authorityKeyFile + " is not here to make " + String.join(", ", missing) + ": make"
          + " them where it is (--ca-key) and copy them here"
        : authorityKeyFile + " holds an authority's key but " + authorityFile + " is missing: put the authority's"
          + " certificate back, or remove the key to start a new authority");
    }
    if (!hasAuthority) {
      makeAuthority(authorityFile);
      report.add("made the authority " + authorityFile + " and its key " + authorityKeyFile + ": keep the key safe,"
        + " it makes members");
    } else {
      report.add("kept the authority " + authorityFile);
    }
    nodes.stream().filter(node -> !missing.contains(node))
      .forEach(node -> report.add("kept " + directory.resolve(certificateOf(node))));
    if (missing.isEmpty()) {
      return report;
    }
    X509Certificate authority = readCertificate(authorityFile);
    PrivateKey authorityKey = readKey(authorityKeyFile);
    for (String node : missing) {
      KeyPair pair = keyPair();
      X509Certificate certificate = sign(builder(X500Name.getInstance(authority.getSubjectX500Principal().getEncoded()),
          new X500Name("CN=" + node), pair, NODE_VALIDITY)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
        .addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName,
          node))), authorityKey);
      try {
        certificate.verify(authority.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IOException(authorityKeyFile + " is not the key of the authority in " + authorityFile, e);
      }
      Path certificateFile = directory.resolve(certificateOf(node));
      Path keyFile = directory.resolve(keyOf(node));
      write(certificateFile, pem(certificate), false);
      write(keyFile, pem(pair.getPrivate()), true);
      report.add("made " + certificateFile + " and " + keyFile + " for node " + node + ", valid until "
        + certificate.getNotAfter().toInstant());
    }
    return report;
  }

  /**
   * Revokes the nodes' certificates: adds them to the authority's revocation list, signed again, and moves each node's
   * two files to {@code revoked/}, named with the certificate's serial number.
   *
   * @return one line for each certificate revoked, and one for the list
   * @throws IOException when the authority's key is not here, a node has no certificate here, or a file cannot be
   *                     written
   */
  public List<String> revoke(List<String> nodes) throws IOException, GeneralSecurityException {
    Path authorityFile = directory.resolve(AUTHORITY);
    if (!Files.exists(authorityFile) || !Files.exists(authorityKeyFile)) {
      throw new IOException("revoking needs the authority " + authorityFile + " and its key " + authorityKeyFile
        + ": run it where the key is (--ca-key)");
    }
    X509Certificate authority = readCertificate(authorityFile);
    PrivateKey authorityKey = readKey(authorityKeyFile);
    List<X509Certificate> revoked = new ArrayList<>();
    for (String node : nodes) {
      Path certificateFile = directory.resolve(certificateOf(node));
      if (!Files.exists(certificateFile)) {
        throw new IOException("node " + node + " has no certificate " + certificateFile + " to revoke");
      }
      X509Certificate certificate = readCertificate(certificateFile);
      try {
        certificate.verify(authority.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IOException(certificateFile + " is not from the authority in " + authorityFile, e);
      }
      revoked.add(certificate);
    }
    Path listFile = directory.resolve(REVOCATIONS);
    Instant now = clock.instant();
    JcaX509v2CRLBuilder list = new JcaX509v2CRLBuilder(authority, Date.from(now));
    // berth's nodes read the list from a file, and fetch no newer one: it holds as long as its authority does.
    list.setNextUpdate(authority.getNotAfter());
    BigInteger number = BigInteger.ONE;
    if (Files.exists(listFile)) {
      X509CRL before;
      try {
        before = Revocations.signedLists(listFile, List.of(authority)).get(0);
      } catch (TlsException e) {
        throw new IOException(e.getMessage(), e);
      }
      list.addCRL(new JcaX509CRLHolder(before));
      byte[] numberBefore = before.getExtensionValue(Extension.cRLNumber.getId());
      if (numberBefore != null) {
        number = ASN1Integer.getInstance(ASN1OctetString.getInstance(numberBefore).getOctets()).getValue()
          .add(BigInteger.ONE);
      }
    }
    list.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
    for (X509Certificate certificate : revoked) {
      list.addCRLEntry(certificate.getSerialNumber(), Date.from(now), (Extensions) null);
    }
    X509CRL signed;
    try {
      signed = new JcaX509CRLConverter().getCRL(list.build(new JcaContentSignerBuilder(SIGNATURE).build(authorityKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign a revocation list: " + e.getMessage(), e);
    }
    signed.verify(authority.getPublicKey());
    write(listFile, pem(signed), false);
    List<String> report = new ArrayList<>();
    Path revokedDirectory = directory.resolve(REVOKED);
    for (int i = 0; i < nodes.size(); i++) {
      Files.createDirectories(revokedDirectory);
      String node = nodes.get(i);
      String serial = revoked.get(i).getSerialNumber().toString(16);
      Path movedCertificate = revokedDirectory.resolve(node + "-" + serial + ".pem");
      Files.move(directory.resolve(certificateOf(node)), movedCertificate);
      Path key = directory.resolve(keyOf(node));
      if (Files.exists(key)) {
        Files.move(key, revokedDirectory.resolve(node + "-" + serial + "-key.pem"));
      }
      report.add("revoked the certificate of node " + node + " (serial " + serial + "), moved to " + movedCertificate);
    }
    int listed = signed.getRevokedCertificates() == null ? 0 : signed.getRevokedCertificates().size();
    report.add("wrote " + listFile + ", " + listed + " certificate(s) revoked: give it to every node as"
      + " cluster.tls.crl, or to gateways as gateway.tls.clientCrl when the certificates are clients' (a running node"
      + " reads it again within 10 s)");
    return report;
  }

  private void makeAuthority(Path authorityFile) throws IOException, GeneralSecurityException {
    KeyPair pair = keyPair();
    X500Name name = new X500Name("CN=berth cluster authority " + Long.toHexString(random.nextLong()));
    X509Certificate authority = sign(builder(name, name, pair, AUTHORITY_VALIDITY)
      .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
      .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), pair.getPrivate());
    Files.createDirectories(authorityKeyFile.toAbsolutePath().getParent());
    write(authorityKeyFile, pem(pair.getPrivate()), true);
    write(authorityFile, pem(authority), false);
  }

  private KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    return generator.generateKeyPair();
  }

  private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
    Instant now = clock.instant();
    // A little in the past, for peers whose clocks lag.
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, random), Date.from(now.minus(Duration.ofHours(1))),
      Date.from(now.plus(validity)), subject, pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
    throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  /** A certificate, a revocation list, or a private key as PKCS#8 ("PRIVATE KEY"), the form every TLS library reads. */
  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
    }
    return text.toString();
  }

  private static void write(Path file, String pem, boolean secret) throws IOException {
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
  }

  private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    return PemFiles.privateKey(Files.readString(file, StandardCharsets.US_ASCII))
      .orElseThrow(() -> new IOException(file + " holds no unencrypted PEM private key"));
  }
}
