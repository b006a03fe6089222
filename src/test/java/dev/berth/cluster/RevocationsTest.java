package dev.berth.cluster;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import static dev.berth.cluster.ClusterCertificatesTest.files;
import static dev.berth.cluster.ClusterCertificatesTest.withList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authority's revocation list as a node reads it ({@code cluster.tls.crl}), made by {@code revoke}. */
class RevocationsTest {

  @TempDir
  Path certs;
  private List<X509Certificate> authorities;

  @BeforeEach
  void certificates() throws Exception {
    new ClusterCertificates(certs).make(List.of("gateway", "worker", "retired"));
    authorities = PemFiles.certificates(certs.resolve("ca.pem"), "cluster.tls.ca");
  }

  @Test
  @DisplayName("a node whose own certificate the list revokes refuses to start, naming both files")
  void ownCertificateRevoked() throws Exception {
    Files.copy(certs.resolve("worker.pem"), certs.resolve("kept.pem"));
    Files.copy(certs.resolve("worker-key.pem"), certs.resolve("kept-key.pem"));
    new ClusterCertificates(certs).revoke(List.of("worker"));

    assertThatThrownBy(() -> ClusterTls.load(withList(files(certs, "kept"))))
      .isInstanceOf(TlsException.class)
      .hasMessage(certs.resolve("kept.pem") + " (cluster.tls.cert) is revoked by " + certs.resolve("crl.pem")
        + " (cluster.tls.crl): move its two files away and make this node a new certificate with java -jar berth.jar"
        + " certs");
  }

  @Test
  @DisplayName("a list that another authority signed, or a file with no list, is refused with the file's name")
  void unusableLists(@TempDir Path other) throws Exception {
    new ClusterCertificates(other).make(List.of("someone"));
    new ClusterCertificates(other).revoke(List.of("someone"));
    Files.writeString(certs.resolve("not-a-list.pem"), Files.readString(certs.resolve("ca.pem")));

    assertThatThrownBy(() -> Revocations.load(other.resolve("crl.pem"), authorities))
      .isInstanceOf(TlsException.class)
      .hasMessageStartingWith(other.resolve("crl.pem") + " (cluster.tls.crl) holds a revocation list of CN=berth"
        + " cluster authority ")
      .hasMessageEndingWith(" that no authority in cluster.tls.ca signed: make it with java -jar berth.jar revoke");
    assertThatThrownBy(() -> Revocations.load(certs.resolve("not-a-list.pem"), authorities))
      .isInstanceOf(TlsException.class)
      .hasMessage(certs.resolve("not-a-list.pem") + " (cluster.tls.crl) holds no PEM certificate revocation list");
    assertThatThrownBy(() -> Revocations.load(certs.resolve("absent.pem"), authorities))
      .isInstanceOf(TlsException.class)
      .hasMessage(certs.resolve("absent.pem") + " (cluster.tls.crl): no such file");
  }

  @Test
  @DisplayName("the list is read again once its file changed; a file broken since keeps what was revoked before")
  void readAgainWhenChanged() throws Exception {
    X509Certificate worker = PemFiles.certificates(certs.resolve("worker.pem"), "worker").get(0);
    X509Certificate retired = PemFiles.certificates(certs.resolve("retired.pem"), "retired").get(0);
    new ClusterCertificates(certs).revoke(List.of("retired"));
    Revocations revocations = Revocations.load(certs.resolve("crl.pem"), authorities);
    assertThat(revocations.revoked(retired)).isTrue();
    assertThat(revocations.refresh()).as("unchanged").isFalse();

    new ClusterCertificates(certs).revoke(List.of("worker"));

    assertThat(revocations.revoked(worker)).as("before it is read again").isFalse();
    assertThat(revocations.refresh()).isTrue();
    assertThat(revocations.revoked(worker)).isTrue();

    Files.writeString(certs.resolve("crl.pem"), "half a file");

    assertThat(revocations.refresh()).isFalse();
    assertThat(revocations.revoked(worker)).isTrue();
    assertThat(revocations.revoked(retired)).isTrue();
  }
}
