package dev.berth.cluster;

import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Certificates;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node refuses to start with TLS files it cannot use, or with a security that differs from its cluster's: exit 78
 * (EX_CONFIG) and one line naming the file and its key, before it joins anything.
 */
@Timeout(120)
class TlsRefusalIT {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Path logs = ItLogs.directory(TlsRefusalIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, List.of("plain"));
  @TempDir
  private Path certs;

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  @DisplayName("a TLS file that does not exist")
  void missingFile() throws Exception {
    makeCertificates(Clock.systemUTC(), "node");
    Path absent = certs.resolve("absent.pem");
    assertThat(refusal("missing", tls("BERTH_TLS_CA", absent)))
      .containsExactly("berth: " + absent + " (cluster.tls.ca): no such file");
  }

  @Test
  @DisplayName("a TLS file that cannot be read")
  void unreadableFile() throws Exception {
    makeCertificates(Clock.systemUTC(), "node");
    Path directory = Files.createDirectories(certs.resolve("a-directory.pem"));
    assertThat(refusal("unreadable", tls("BERTH_TLS_CERT", directory)))
      .containsExactly("berth: " + directory + " (cluster.tls.cert): cannot read it: Is a directory");
  }

  @Test
  @DisplayName("only some of the TLS files")
  void incomplete() {
    assertThat(refusal("incomplete", Map.of("BERTH_TLS_CA", certs.resolve("ca.pem").toString())))
      .containsExactly("berth: conf/worker-first.json: cluster.tls.cert is missing: give ca, cert and key together,"
        + " or none of them for a plain cluster");
  }

  @Test
  @DisplayName("a key that is not the certificate's")
  void keyOfAnotherNode() throws Exception {
    makeCertificates(Clock.systemUTC(), "node", "other");
    assertThat(refusal("key-mismatch", tls("BERTH_TLS_KEY", certs.resolve("other-key.pem"))))
      .containsExactly("berth: " + certs.resolve("other-key.pem") + " (cluster.tls.key) is not the key of the"
        + " certificate in " + certs.resolve("node.pem") + " (cluster.tls.cert)");
  }

  @Test
  @DisplayName("an expired certificate")
  void expired() throws Exception {
    Instant made = Instant.now().minus(ClusterCertificates.NODE_VALIDITY).minus(Duration.ofDays(1));
    makeCertificates(Clock.fixed(made, ZoneOffset.UTC), "node");
    assertThat(refusal("expired", tls())).singleElement().asString().matches("berth: "
      + Pattern.quote(certs.resolve("node.pem") + " (cluster.tls.cert) expired on ") + "\\S+Z"
      + Pattern.quote(": make a new one with java -jar berth.jar certs"));
  }

  @Test
  @DisplayName("a certificate not valid yet")
  void notYetValid() throws Exception {
    makeCertificates(Clock.systemUTC());
    makeCertificates(Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC), "node");
    assertThat(refusal("not-yet-valid", tls())).singleElement().asString().matches("berth: "
      + Pattern.quote(certs.resolve("node.pem") + " (cluster.tls.cert) is not valid before ") + "\\S+Z"
      + Pattern.quote(": is this host's clock right?"));
  }

  @Test
  @DisplayName("a certificate from another authority")
  void anotherAuthority() throws Exception {
    makeCertificates(Clock.systemUTC(), "node");
    Path otherAuthority = certs.resolve("other-authority");
    new ClusterCertificates(otherAuthority).make(List.of());
    assertThat(refusal("other-authority", tls("BERTH_TLS_CA", otherAuthority.resolve("ca.pem"))))
      .containsExactly("berth: " + certs.resolve("node.pem") + " (cluster.tls.cert) is not signed by the authority in "
        + otherAuthority.resolve("ca.pem") + " (cluster.tls.ca): every node's certificate must come from the"
        + " cluster's one authority");
  }

  @Test
  @DisplayName("a certificate its authority's revocation list revokes")
  void revoked() throws Exception {
    makeCertificates(Clock.systemUTC(), "node");
    Files.copy(certs.resolve("node.pem"), certs.resolve("copy.pem"));
    Files.copy(certs.resolve("node-key.pem"), certs.resolve("copy-key.pem"));
    new ClusterCertificates(certs).revoke(List.of("node"));
    Map<String, String> env = Certificates.env(certs, "copy");
    env.put("BERTH_TLS_CRL", certs.resolve("crl.pem").toString());

    assertThat(refusal("revoked", env)).containsExactly("berth: " + certs.resolve("copy.pem") + " (cluster.tls.cert) is"
      + " revoked by " + certs.resolve("crl.pem") + " (cluster.tls.crl): move its two files away and make this node a"
      + " new certificate with java -jar berth.jar certs");
  }

  @Test
  @DisplayName("TLS on a node that joins a plain cluster")
  void tlsNodeInPlainCluster() throws Exception {
    makeCertificates(Clock.systemUTC(), "node");
    cluster.start("plain", "conf/worker-first.json").awaitHealthy(BOUND);
    assertThat(refusal("tls-in-plain", tls())).filteredOn(line -> line.startsWith("berth: "))
      .containsExactly("berth: seed 127.0.0.1:" + cluster.env("plain").get("BERTH_HAZELCAST_PORT") + " is a member of"
        + " a cluster open to any Hazelcast member (no cluster.tls and no cluster.joinSecret, or a berth build without"
        + " the member handshake), but this node has cluster.tls: give every node of a cluster the same TLS authority, or"
        + " the same join secret, or neither");
  }

  private void makeCertificates(Clock clock, String... nodes) throws Exception {
    new ClusterCertificates(certs, certs.resolve("ca-key.pem"), clock).make(List.of(nodes));
  }

  /** The TLS files of node "node", one of them changed when given. */
  private Map<String, String> tls(String variable, Path file) {
    Map<String, String> env = Certificates.env(certs, "node");
    env.put(variable, file.toString());
    return env;
  }

  private Map<String, String> tls() {
    return Certificates.env(certs, "node");
  }

  /** Starts a worker with {@code env} and returns its output once it exited 78. */
  private List<String> refusal(String name, Map<String, String> env) {
    cluster.env(name).putAll(env);
    BerthProcess node = cluster.start(name, "conf/worker-first.json");
    assertThat(node.awaitExit(BOUND)).as(node.output()).isEqualTo(Main.EXIT_CONFIG);
    return node.output().lines().toList();
  }
}
