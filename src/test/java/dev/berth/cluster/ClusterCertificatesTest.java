package dev.berth.cluster;

import dev.berth.config.TlsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  /** The files {@code certs} makes for a node, as its config names them. */
  static TlsConfig files(Path directory, String node) {
    return new TlsConfig(directory.resolve("ca.pem"), directory.resolve(node + ".pem"),
      directory.resolve(node + "-key.pem"));
  }
}
