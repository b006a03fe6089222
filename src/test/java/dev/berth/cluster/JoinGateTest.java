package dev.berth.cluster;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The master's check of a joining member's statement, one refusal reason at a time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JoinGateTest {

  private static final String CLUSTER = "prod";
  private static final String ADDRESS = "10.0.0.7:32768";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final UUID MEMBER = UUID.randomUUID();

  @TempDir
  private static Path certificates;
  private JoinGate master;
  private JoinGate joiner;

  @BeforeAll
  void makeCertificates() throws Exception {
    new ClusterCertificates(certificates).make(List.of("master", "joiner"));
    master = new JoinGate(CLUSTER, NodeCredentials.of(certificates, "master"));
    joiner = new JoinGate(CLUSTER, NodeCredentials.of(certificates, "joiner"));
  }

  @Test
  @DisplayName("a statement signed by a certificate from the cluster's authority, for this member and address, now")
  void admitted() {
    assertThat(master.refusal(MEMBER, ADDRESS, joiner.attributesFor(MEMBER, ADDRESS))).isEmpty();
  }

  @Test
  @DisplayName("no statement: a stock Hazelcast or Vert.x member")
  void missing() {
    assertThat(master.refusal(MEMBER, ADDRESS, Map.of("__vertx.nodeId", "n"))).contains("it carries no signed join"
      + " statement (not a berth node, or one without this cluster's cluster.tls)");
  }

  @Test
  @DisplayName("a statement that cannot be read")
  void malformed() {
    Map<String, String> attributes = new HashMap<>(joiner.attributesFor(MEMBER, ADDRESS));
    attributes.put(JoinGate.STATEMENT, "berth join 1\nprod\nnot-a-uuid\n" + ADDRESS + "\n0");
    assertThat(master.refusal(MEMBER, ADDRESS, attributes)).contains("its join statement cannot be read");
  }

  @Test
  @DisplayName("a statement for another cluster")
  void otherCluster() throws Exception {
    JoinGate elsewhere = new JoinGate("staging", NodeCredentials.of(certificates, "joiner"));
    assertThat(master.refusal(MEMBER, ADDRESS, elsewhere.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement is for cluster 'staging'");
  }

  @Test
  @DisplayName("a statement made for another member UUID: a real member's attributes, replayed")
  void otherMember() {
    UUID replayer = UUID.randomUUID();
    assertThat(master.refusal(replayer, ADDRESS, joiner.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement is for member " + MEMBER + ", not " + replayer + " (replayed?)");
  }

  @Test
  @DisplayName("a statement made for another address: a real member's attributes, replayed from elsewhere")
  void otherAddress() {
    assertThat(master.refusal(MEMBER, "10.0.0.66:5701", joiner.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement is for address " + ADDRESS + ", not 10.0.0.66:5701 (replayed?)");
  }

  @Test
  @DisplayName("a statement older than the bound: replayed after its member left, or a clock far behind")
  void tooOld() throws Exception {
    JoinGate behind = new JoinGate(CLUSTER, NodeCredentials.of(certificates, "joiner"),
      Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-90)));
    assertThat(master.refusal(MEMBER, ADDRESS, behind.attributesFor(MEMBER, ADDRESS)))
      .hasValueSatisfying(reason -> assertThat(reason).matches("its join statement was signed 9\\d s ago, more than"
        + " the 60 s allowed \\(replayed, or its clock is behind this one's\\)"));
  }

  @Test
  @DisplayName("a statement from the future: a clock far ahead")
  void fromTheFuture() throws Exception {
    JoinGate ahead = new JoinGate(CLUSTER, NodeCredentials.of(certificates, "joiner"),
      Clock.offset(Clock.systemUTC(), Duration.ofSeconds(90)));
    assertThat(master.refusal(MEMBER, ADDRESS, ahead.attributesFor(MEMBER, ADDRESS)))
      .hasValueSatisfying(reason -> assertThat(reason).matches("its join statement is signed [89]\\d s in the future"
        + " \\(is its clock right\\?\\)"));
  }

  @Test
  @DisplayName("a forged statement: changed after it was signed")
  void forged() {
    Map<String, String> attributes = new HashMap<>(joiner.attributesFor(MEMBER, ADDRESS));
    String statement = attributes.get(JoinGate.STATEMENT);
    long signedAt = Long.parseLong(statement.substring(statement.lastIndexOf('\n') + 1));
    attributes.put(JoinGate.STATEMENT, statement.substring(0, statement.lastIndexOf('\n') + 1) + (signedAt + 1));
    assertThat(master.refusal(MEMBER, ADDRESS, attributes))
      .contains("its join statement does not hold: its signature does not verify with its certificate");
  }

  @Test
  @DisplayName("a statement signed by a certificate from another authority")
  void otherAuthority() throws Exception {
    Path other = certificates.resolve("other");
    new ClusterCertificates(other).make(List.of("foreign"));
    JoinGate foreign = new JoinGate(CLUSTER, NodeCredentials.of(other, "foreign"));
    assertThat(master.refusal(MEMBER, ADDRESS, foreign.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement does not hold: its certificate (CN=foreign) is not from this cluster's authority");
  }

  @Test
  @DisplayName("a statement signed by a certificate that has expired")
  void expiredCertificate() throws Exception {
    Path expired = certificates.resolve("expired");
    Files.createDirectories(expired);
    Files.copy(certificates.resolve(ClusterCertificates.AUTHORITY), expired.resolve(ClusterCertificates.AUTHORITY));
    Files.copy(certificates.resolve(ClusterCertificates.AUTHORITY_KEY), expired.resolve(ClusterCertificates.AUTHORITY_KEY));
    Instant longAgo = Instant.now().minus(ClusterCertificates.NODE_VALIDITY).minus(Duration.ofDays(1));
    new ClusterCertificates(expired, expired.resolve(ClusterCertificates.AUTHORITY_KEY),
      Clock.fixed(longAgo, ZoneOffset.UTC)).make(List.of("old"));
    String text = new JoinGate.Statement(CLUSTER, MEMBER, ADDRESS, Instant.now()).text();
    Map<String, String> attributes = Map.of(JoinGate.STATEMENT, text,
      JoinGate.SIGNATURE, sign(expired.resolve("old-key.pem"), text),
      JoinGate.CERTIFICATE, Files.readString(expired.resolve("old.pem")));

    assertThat(master.refusal(MEMBER, ADDRESS, attributes)).hasValueSatisfying(reason -> assertThat(reason)
      .startsWith("its join statement does not hold: its certificate is not valid now (NotAfter: "));
  }

  @Test
  @DisplayName("a statement signed with a join secret where the cluster's members show certificates")
  void secretInATlsCluster() {
    JoinGate secret = new JoinGate(CLUSTER, JoinCredential.ofSecret(SECRET));
    assertThat(master.refusal(MEMBER, ADDRESS, secret.attributesFor(MEMBER, ADDRESS))).contains("its join statement"
      + " does not hold: it shows no certificate (a node with cluster.joinSecret instead of cluster.tls?)");
  }

  @Test
  @DisplayName("in a join-secret cluster: the same secret is admitted, another secret is not, nor a certificate")
  void joinSecret() {
    JoinGate secretMaster = new JoinGate(CLUSTER, JoinCredential.ofSecret(SECRET));
    JoinGate sameSecret = new JoinGate(CLUSTER, JoinCredential.ofSecret(SECRET));
    JoinGate otherSecret = new JoinGate(CLUSTER, JoinCredential.ofSecret(SECRET.toUpperCase()));

    assertThat(secretMaster.refusal(MEMBER, ADDRESS, sameSecret.attributesFor(MEMBER, ADDRESS))).isEmpty();
    assertThat(secretMaster.refusal(MEMBER, ADDRESS, otherSecret.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement does not hold: it is not signed with this cluster's join secret");
    assertThat(secretMaster.refusal(MEMBER, ADDRESS, joiner.attributesFor(MEMBER, ADDRESS)))
      .contains("its join statement does not hold: it is not signed with this cluster's join secret");
    assertThat(secretMaster.refusal(MEMBER, ADDRESS, Map.of())).contains("it carries no signed join statement (not a"
      + " berth node, or one without this cluster's cluster.joinSecret)");
  }

  private static String sign(Path keyFile, String text) throws Exception {
    PrivateKey key = PemFiles.privateKey(Files.readString(keyFile)).orElseThrow();
    Signature signature = Signature.getInstance("SHA256withECDSA");
    signature.initSign(key);
    signature.update(text.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(signature.sign());
  }
}
