package dev.berth.cluster;

import dev.berth.config.TlsConfig;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterCertificatesTest {

  @TempDir
  Path directory;

  @Test
  @DisplayName("makes an authority and node certificates a node loads, keys readable by their owner only")
  void makesLoadableCertificates() throws Exception {
    new ClusterCertificates(directory).make(List.of("gateway", "worker"));

    ClusterTls gateway = ClusterTls.load(files(directory, "gateway"));
    assertThat(gateway.subject()).isEqualTo("CN=gateway");
    assertThat(Files.getPosixFilePermissions(directory.resolve("worker-key.pem")))
      .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(directory.resolve("ca-key.pem")))
      .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  @DisplayName("a second run keeps the authority and the nodes made, and adds new nodes from the same authority")
  void keepsAndAdds() throws Exception {
    new ClusterCertificates(directory).make(List.of("gateway"));
    String authority = Files.readString(directory.resolve("ca.pem"));
    String gateway = Files.readString(directory.resolve("gateway.pem"));

    List<String> report = new ClusterCertificates(directory).make(List.of("gateway", "worker"));

    assertThat(Files.readString(directory.resolve("ca.pem"))).isEqualTo(authority);
    assertThat(Files.readString(directory.resolve("gateway.pem"))).isEqualTo(gateway);
    assertThat(report).hasSize(3).first().asString().startsWith("kept the authority");
    assertThat(ClusterTls.load(files(directory, "worker")).subject()).isEqualTo("CN=worker");
  }

  @Test
  @DisplayName("with the authority's key kept elsewhere, the nodes' directory never holds it")
  void authorityKeyElsewhere(@TempDir Path authority) throws Exception {
    new ClusterCertificates(directory, authority.resolve("ca-key.pem")).make(List.of("gateway"));

    assertThat(directory.resolve("ca-key.pem")).doesNotExist();
    assertThat(authority.resolve("ca-key.pem")).exists();
    assertThat(ClusterTls.load(files(directory, "gateway")).subject()).isEqualTo("CN=gateway");
  }

  @Test
  @DisplayName("a copy without the authority's key serves the nodes made, and refuses to make others, never a new"
    + " authority")
  void copyWithoutAuthorityKey(@TempDir Path copy) throws Exception {
    new ClusterCertificates(directory).make(List.of("worker"));
    for (String file : List.of("ca.pem", "worker.pem", "worker-key.pem")) {
      Files.copy(directory.resolve(file), copy.resolve(file));
    }
    String authority = Files.readString(copy.resolve("ca.pem"));

    assertThat(new ClusterCertificates(copy).make(List.of("worker"))).containsExactly(
      "kept the authority " + copy.resolve("ca.pem"), "kept " + copy.resolve("worker.pem"));
    assertThatThrownBy(() -> new ClusterCertificates(copy).make(List.of("worker", "other")))
      .isInstanceOf(IOException.class)
      .hasMessage("the authority's key " + copy.resolve("ca-key.pem") + " is not here to make other: make them where"
        + " it is (--ca-key) and copy them here");
    assertThat(Files.readString(copy.resolve("ca.pem"))).isEqualTo(authority);
    assertThat(copy.resolve("other.pem")).doesNotExist();
  }

  @Test
  @DisplayName("revoke lists the node's certificate in the authority's signed list, moves its files aside, and certs then"
    + " makes the node a new certificate, which the list does not revoke")
  void revokeAndRemake() throws Exception {
    new ClusterCertificates(directory).make(List.of("gateway", "worker"));
    X509Certificate revoked = PemFiles.certificates(directory.resolve("worker.pem"), "worker").get(0);
    String serial = revoked.getSerialNumber().toString(16);

    List<String> report = new ClusterCertificates(directory).revoke(List.of("worker"));

    Path moved = directory.resolve("revoked").resolve("worker-" + serial + ".pem");
    assertThat(report).containsExactly("revoked the certificate of node worker (serial " + serial + "), moved to " + moved,
      "wrote " + directory.resolve("crl.pem") + ", 1 certificate(s) revoked: give it to every node as cluster.tls.crl,"
        + " or to gateways as gateway.tls.clientCrl when the certificates are clients' (a running node reads it again"
        + " within 10 s)");
    assertThat(directory.resolve("worker.pem")).doesNotExist();
    assertThat(directory.resolve("worker-key.pem")).doesNotExist();
    assertThat(directory.resolve("revoked").resolve("worker-" + serial + "-key.pem")).exists();
    X509CRL list = revocationList(directory);
    list.verify(PemFiles.certificates(directory.resolve("ca.pem"), "ca").get(0).getPublicKey());
    assertThat(list.isRevoked(revoked)).isTrue();

    new ClusterCertificates(directory).make(List.of("worker"));
    assertThat(ClusterTls.load(withList(files(directory, "worker"))).subject()).isEqualTo("CN=worker");
    assertThat(ClusterTls.load(withList(files(directory, "gateway"))).subject()).isEqualTo("CN=gateway");
  }

  @Test
  @DisplayName("revoke with no node makes an empty list, which a node loads and which revokes nothing")
  void emptyList() throws Exception {
    new ClusterCertificates(directory).make(List.of("gateway"));

    assertThat(new ClusterCertificates(directory).revoke(List.of())).containsExactly("wrote "
      + directory.resolve("crl.pem") + ", 0 certificate(s) revoked: give it to every node as cluster.tls.crl, or to"
      + " gateways as gateway.tls.clientCrl when the certificates are clients' (a running node reads it again within"
      + " 10 s)");
    assertThat(revocationList(directory).getRevokedCertificates()).isNull();
    assertThat(ClusterTls.load(withList(files(directory, "gateway"))).subject()).isEqualTo("CN=gateway");
  }

  @Test
  @DisplayName("a second revoke keeps what the first revoked, in a list with a higher number")
  void revokeAgainKeepsTheList() throws Exception {
    new ClusterCertificates(directory).make(List.of("a", "b"));
    X509Certificate a = PemFiles.certificates(directory.resolve("a.pem"), "a").get(0);
    X509Certificate b = PemFiles.certificates(directory.resolve("b.pem"), "b").get(0);

    new ClusterCertificates(directory).revoke(List.of("a"));
    new ClusterCertificates(directory).revoke(List.of("b"));

    X509CRL list = revocationList(directory);
    assertThat(list.isRevoked(a)).isTrue();
    assertThat(list.isRevoked(b)).isTrue();
    assertThat(list.getRevokedCertificates()).hasSize(2);
    assertThat(list.getExtensionValue(Extension.cRLNumber.getId())).isNotNull();
    assertThat(ASN1Integer.getInstance(ASN1OctetString.getInstance(list.getExtensionValue(Extension.cRLNumber.getId()))
      .getOctets()).getValue()).isEqualTo(2);
  }

  @Test
  @DisplayName("revoke refuses a node that has no certificate here, and a copy without the authority's key")
  void revokeRefusals(@TempDir Path copy) throws Exception {
    new ClusterCertificates(directory).make(List.of("worker"));
    Files.copy(directory.resolve("ca.pem"), copy.resolve("ca.pem"));
    Files.copy(directory.resolve("worker.pem"), copy.resolve("worker.pem"));

    assertThatThrownBy(() -> new ClusterCertificates(directory).revoke(List.of("other")))
      .isInstanceOf(IOException.class)
      .hasMessage("node other has no certificate " + directory.resolve("other.pem") + " to revoke");
    assertThatThrownBy(() -> new ClusterCertificates(copy).revoke(List.of("worker")))
      .isInstanceOf(IOException.class)
      .hasMessage("revoking needs the authority " + copy.resolve("ca.pem") + " and its key " + copy.resolve("ca-key.pem")
        + ": run it where the key is (--ca-key)");
    assertThat(directory.resolve("crl.pem")).doesNotExist();
    assertThat(copy.resolve("worker.pem")).exists();
  }

  private static X509CRL revocationList(Path directory) throws Exception {
    try (InputStream in = Files.newInputStream(directory.resolve("crl.pem"))) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    }
  }

  /** The node's files with the authority's revocation list beside them, as {@code cluster.tls.crl}. */
  static TlsConfig withList(TlsConfig files) {
    return new TlsConfig(files.ca(), files.cert(), files.key(), files.ca().resolveSibling("crl.pem"));
  }

  /** The files {@code certs} makes for a node, as its config names them. */
  static TlsConfig files(Path directory, String node) {
    return new TlsConfig(directory.resolve("ca.pem"), directory.resolve(node + ".pem"),
      directory.resolve(node + "-key.pem"));
  }
}
