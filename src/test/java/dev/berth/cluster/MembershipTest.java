package dev.berth.cluster;

import dev.berth.config.TlsConfig;
import dev.berth.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a member's proof is judged, with real certificates from {@code certs}: the node info a member publishes is
 * held in a map standing in for Hazelcast's, so that each way a stranger can forge or replay a proof can be written.
 */
class MembershipTest {

  private static final List<String> ADDRESSES = List.of("first");
  private static final String HAZELCAST = "10.0.0.2:5701";

  @TempDir
  Path certs;

  private final Map<String, NodeInfo> publishedNodeInfo = new HashMap<>();
  private final List<String> standingChanges = new ArrayList<>();
  private final List<String> revoked = new ArrayList<>();
  private Membership gateway;
  private Membership worker;

  @BeforeEach
  void certificates() throws Exception {
    new ClusterCertificates(certs).make(List.of("gateway", "worker"));
    gateway = membership("gateway", "gateway-id");
    worker = membership("worker", "worker-id");
  }

  @Test
  @DisplayName("a member whose certificate signed its node id and addresses is proven for those addresses only")
  void provenForItsAddresses() {
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);

    gateway.check("worker-id");

    assertThat(gateway.isProven("worker-id")).isTrue();
    assertThat(standingChanges).containsExactly("worker-id");
    assertThat(gateway.admits("worker-id", "first")).isTrue();
    assertThat(gateway.admits("worker-id", "first@worker-id")).isTrue();
    assertThat(gateway.admits("worker-id", "__berth.draining")).isTrue();
    assertThat(gateway.admits("worker-id", "second")).isFalse();
    assertThat(gateway.admits("worker-id", "first@gateway-id")).isFalse();
    assertThat(gateway.info("worker-id").port()).isEqualTo(5710);
  }

  @Test
  @DisplayName("a real member's proof copied under another node id does not hold")
  void replayedUnderAnotherId() {
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);
    publishedNodeInfo.put("stranger-id", publishedNodeInfo.get("worker-id"));

    gateway.check("stranger-id");

    assertThat(gateway.isProven("stranger-id")).isFalse();
    assertThat(gateway.admits("stranger-id", "first")).isFalse();
    assertThat(gateway.whyNot("stranger-id")).hasValue("its signature does not cover its node id and addresses");
  }

  @Test
  @DisplayName("a proof whose event-bus address or addresses were changed does not hold")
  void alteredAfterSigning() {
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);
    NodeInfo signed = publishedNodeInfo.get("worker-id");
    publishedNodeInfo.put("worker-id", new NodeInfo("10.6.6.6", 5710, signed.metadata()));

    gateway.check("worker-id");

    assertThat(gateway.whyNot("worker-id")).hasValue("its signature does not cover its node id and addresses");

    Membership another = membership("gateway", "gateway-id");
    JsonObject widened = signed.metadata().copy().put("addresses", new JsonArray().add("first").add("second"));
    publishedNodeInfo.put("worker-id", new NodeInfo("10.0.0.2", 5710, widened));

    another.check("worker-id");

    assertThat(another.whyNot("worker-id")).hasValue("its signature does not cover its node id and addresses");
  }

  @Test
  @DisplayName("a certificate from another authority does not prove membership")
  void anotherAuthority(@TempDir Path otherCerts) throws Exception {
    new ClusterCertificates(otherCerts).make(List.of("worker"));
    Membership foreign = new Membership(load(otherCerts, "worker"), (id, done) -> done.succeed(publishedNodeInfo.get(id)),
      () -> "worker-id", () -> "c", standingChanges::add, revoked::add);
    publish("worker-id", foreign, ADDRESSES, "10.0.0.2", 5710);

    gateway.check("worker-id");

    assertThat(gateway.isProven("worker-id")).isFalse();
    assertThat(gateway.whyNot("worker-id")).hasValueSatisfying(reason -> assertThat(reason)
      .isEqualTo("its certificate (CN=worker) is not from this cluster's authority"));
  }

  @Test
  @DisplayName("a member without a proof is given a grace period, not judged at once")
  void noProofYet() {
    publishedNodeInfo.put("plain-id", new NodeInfo("10.0.0.3", 5710, new JsonObject().put("name", "plain")));

    gateway.check("plain-id");

    assertThat(gateway.isProven("plain-id")).isFalse();
    assertThat(gateway.whyNot("plain-id")).isEmpty();
    assertThat(gateway.admits("plain-id", "first")).isFalse();
  }

  @Test
  @DisplayName("once proven, a member's node info stays as proven, whatever is written over it later")
  void nodeInfoKeptAsProven() {
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);
    gateway.check("worker-id");

    publishedNodeInfo.put("worker-id", new NodeInfo("10.6.6.6", 4242, new JsonObject()));
    gateway.recheck(false);

    assertThat(gateway.info("worker-id").host()).isEqualTo("10.0.0.2");
    assertThat(gateway.info("worker-id").port()).isEqualTo(5710);
  }

  @Test
  @DisplayName("a proven member whose certificate expires while it runs no longer counts")
  void certificateExpiresWhileRunning() throws Exception {
    Instant expiry = Instant.now().plusSeconds(2);
    new ClusterCertificates(certs, certs.resolve("ca-key.pem"),
      Clock.fixed(expiry.minus(ClusterCertificates.NODE_VALIDITY), ZoneOffset.UTC)).make(List.of("expiring"));
    publish("expiring-id", membership("expiring", "expiring-id"), ADDRESSES, "10.0.0.4", 5710);
    gateway.check("expiring-id");
    assertThat(gateway.admits("expiring-id", "first")).isTrue();

    Poll.until("the certificate judged expired", Duration.ofSeconds(10), () -> {
      gateway.recheck(false);
      return gateway.isProven("expiring-id");
    }, proven -> !proven);

    assertThat(gateway.admits("expiring-id", "first")).isFalse();
    assertThat(gateway.info("expiring-id")).isNull();
    assertThat(gateway.whyNot("expiring-id")).hasValueSatisfying(reason -> assertThat(reason)
      .startsWith("its certificate is not valid now"));
    assertThat(standingChanges).containsExactly("expiring-id", "expiring-id");
  }

  @Test
  @DisplayName("a proven member whose certificate the authority revokes while it runs no longer counts at the next check")
  void certificateRevokedWhileRunning() throws Exception {
    new ClusterCertificates(certs).make(List.of("retired"));
    new ClusterCertificates(certs).revoke(List.of("retired"));
    ClusterTls tls = ClusterTls.load(ClusterCertificatesTest.withList(ClusterCertificatesTest.files(certs, "gateway")));
    Membership listing = new Membership(tls, (id, done) -> done.succeed(publishedNodeInfo.get(id)),
      () -> "gateway-id", () -> "c", standingChanges::add, revoked::add);
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);
    listing.check("worker-id");
    assertThat(listing.admits("worker-id", "first")).isTrue();
    listing.recheck(tls.refreshRevocations());
    assertThat(listing.admits("worker-id", "first")).as("the list unchanged").isTrue();

    new ClusterCertificates(certs).revoke(List.of("worker"));
    listing.recheck(tls.refreshRevocations());

    assertThat(listing.admits("worker-id", "first")).isFalse();
    assertThat(listing.info("worker-id")).isNull();
    assertThat(listing.whyNot("worker-id")).hasValueSatisfying(reason -> assertThat(reason)
      .matches("its certificate \\(CN=worker, serial [0-9a-f]+\\) is revoked \\(cluster\\.tls\\.crl\\)"));
    assertThat(standingChanges).containsExactly("worker-id", "worker-id");
    assertThat(revoked).containsExactly("worker-id");
  }

  @Test
  @DisplayName("while the authority is replaced, a node trusting the old and the new one proves members of either")
  void authorityBundle(@TempDir Path newCerts) throws Exception {
    new ClusterCertificates(newCerts).make(List.of("worker"));
    Path bundle = certs.resolve("bundle.pem");
    Files.writeString(bundle, Files.readString(newCerts.resolve("ca.pem")) + Files.readString(certs.resolve("ca.pem")));
    Membership trustingBoth = new Membership(ClusterTls.load(new TlsConfig(bundle, certs.resolve("gateway.pem"),
      certs.resolve("gateway-key.pem"))), (id, done) -> done.succeed(publishedNodeInfo.get(id)), () -> "gateway-id",
      () -> "c", standingChanges::add, revoked::add);
    publish("new-worker-id", new Membership(load(newCerts, "worker"), (id, done) -> done.fail("unused"),
      () -> "new-worker-id", () -> "c", standingChanges::add, revoked::add), ADDRESSES, "10.0.0.5", 5710);
    publish("worker-id", worker, ADDRESSES, "10.0.0.2", 5710);

    trustingBoth.check("new-worker-id");
    trustingBoth.check("worker-id");
    gateway.check("new-worker-id");

    assertThat(trustingBoth.isProven("new-worker-id")).isTrue();
    assertThat(trustingBoth.isProven("worker-id")).isTrue();
    assertThat(gateway.isProven("new-worker-id")).as("trusting the old authority only").isFalse();
  }

  private Membership membership(String node, String nodeId) {
    return new Membership(load(certs, node), (id, done) -> done.succeed(publishedNodeInfo.get(id)), () -> nodeId,
      () -> "c", standingChanges::add, revoked::add);
  }

  private void publish(String nodeId, Membership signer, List<String> addresses, String host, int port) {
    NodeInfo unsigned = new NodeInfo(host, port, new JsonObject());
    JsonObject metadata = new JsonObject().put("name", nodeId).put("addresses", new JsonArray(addresses))
      .put("hazelcast", HAZELCAST).put(Membership.PROOF, signer.proofFor(unsigned, addresses, HAZELCAST));
    publishedNodeInfo.put(nodeId, new NodeInfo(host, port, metadata));
  }

  private static ClusterTls load(Path directory, String node) {
    try {
      return ClusterTls.load(ClusterCertificatesTest.files(directory, node));
    } catch (TlsException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
