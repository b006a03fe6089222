package dev.berth.cluster;

import dev.berth.config.HostPort;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Which members of a TLS cluster proved that they belong. Hazelcast lets anyone who knows the cluster's name join, and
 * any member can write the registry of consumers and the members' node info. A member counts only once its node info
 * carries a certificate from the cluster's authority that signed its node id, its event-bus and Hazelcast addresses and
 * the addresses it serves: then, and only for those addresses, do its registrations count. Its node info is kept as
 * first proven, so that no later write can point another node's traffic elsewhere.
 */
final class Membership {

  /** What a member's proof is named in its node metadata: {@code {"certificate": PEM, "signature": Base64}}. */
  static final String PROOF = "proof";
  /** berth's own addresses, such as the drain announcement, which any proven member may consume. */
  static final String SYSTEM_PREFIX = "__berth.";
  /** How long a member that published no proof yet is given: a node adds its proof right after it joins. */
  static final long PROOF_GRACE_MS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  /** A proven member: its node info as proven, the addresses its proof covers, and the certificate that proved it. */
  record Proven(NodeInfo info, Set<String> addresses, X509Certificate certificate) {

    Instant validUntil() {
      return certificate.getNotAfter().toInstant();
    }
  }

  private final ClusterTls tls;
  private final BiConsumer<String, Completable<NodeInfo>> nodeInfo;
  private final Supplier<String> self;
  private final Supplier<String> clusterName;
  private final Consumer<String> onStandingChanged;
  private final Consumer<String> onRevoked;
  private final Map<String, Proven> proven = new ConcurrentHashMap<>();
  private final Map<String, String> unproven = new ConcurrentHashMap<>();
  private final Map<String, Long> noProofSince = new ConcurrentHashMap<>();
  private final Map<String, Promise<Void>> checking = new ConcurrentHashMap<>();

  /**
   * @param nodeInfo reads a member's node info as the registry holds it
   * @param onStandingChanged told the id of each member that has just proven it belongs, or no longer does
   * @param onRevoked         told the id of each proven member whose certificate a changed revocation list revokes
   */
  Membership(ClusterTls tls, BiConsumer<String, Completable<NodeInfo>> nodeInfo, Supplier<String> self,
             Supplier<String> clusterName, Consumer<String> onStandingChanged, Consumer<String> onRevoked) {
    this.tls = tls;
    this.nodeInfo = nodeInfo;
    this.self = self;
    this.clusterName = clusterName;
    this.onStandingChanged = onStandingChanged;
    this.onRevoked = onRevoked;
  }

  /** The statement this node signs, for its own node info. */
  JsonObject proofFor(NodeInfo own, List<String> addresses, String hazelcast) {
    return new JsonObject().put("certificate", tls.certificatePem()).put("signature",
      tls.prove(self.get(), HostPort.format(own.host(), own.port()), hazelcast, addresses));
  }

  /** Whether a registration of {@code address} by {@code nodeId} counts; starts checking a member not yet known. */
  boolean admits(String nodeId, String address) {
    if (nodeId.equals(self.get())) {
      return true;
    }
    Proven member = proven.get(nodeId);
    if (member == null) {
      check(nodeId);
      return false;
    }
    if (address.startsWith(SYSTEM_PREFIX) || member.addresses().contains(address)) {
      return true;
    }
    int at = address.lastIndexOf('@');
    return at > 0 && address.substring(at + 1).equals(nodeId) && member.addresses().contains(address.substring(0, at));
  }

  /** A proven member's node info, as first proven; null for a member that has not proven it belongs. */
  NodeInfo info(String nodeId) {
    Proven member = proven.get(nodeId);
    return member == null ? null : member.info();
  }

  boolean isProven(String nodeId) {
    return nodeId.equals(self.get()) || proven.containsKey(nodeId);
  }

  /** Why a member does not count, or empty when it counts or is still being checked. */
  Optional<String> whyNot(String nodeId) {
    return Optional.ofNullable(unproven.get(nodeId));
  }

  /**
   * Judges again the members that had published no proof yet, or a proof that did not hold (another member may have
   * overwritten a node's info, which that node then puts back), and those whose certificate has expired since, or has
   * been revoked since.
   *
   * @param revocationsChanged whether the revocation list changed since the last recheck: what
   *                           {@link ClusterTls#refreshRevocations} said, run off the event loop just before
   */
  void recheck(boolean revocationsChanged) {
    noProofSince.keySet().forEach(this::check);
    unproven.keySet().forEach(nodeId -> read(nodeId, Promise.promise()));
    // In milliseconds, as X509Certificate.checkValidity judges: else a member in its certificate's last millisecond
    // would be dropped here and proven again by the reading that follows.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    proven.forEach((nodeId, member) -> {
      boolean revoked = revocationsChanged && tls.revoked(member.certificate());
      if ((revoked || now.isAfter(member.validUntil())) && proven.remove(nodeId, member)) {
        onStandingChanged.accept(nodeId);
        read(nodeId, Promise.promise());
        if (revoked) {
          onRevoked.accept(nodeId);
        }
      }
    });
  }

  /** Judges a member again at once when its node info changed, unless it is proven: its proof may have just come. */
  void nodeInfoChanged(String nodeId) {
    if (noProofSince.containsKey(nodeId)) {
      check(nodeId);
    } else if (unproven.containsKey(nodeId)) {
      read(nodeId, Promise.promise());
    }
  }

  void forget(String nodeId) {
    proven.remove(nodeId);
    unproven.remove(nodeId);
    noProofSince.remove(nodeId);
  }

  /**
   * Reads a member's node info and judges its proof, one reading at a time; a member judged unproven stays so.
   * Completes once judged, or once the node info could not be read.
   */
  Future<Void> check(String nodeId) {
    if (nodeId.equals(self.get()) || proven.containsKey(nodeId) || unproven.containsKey(nodeId)) {
      return Future.succeededFuture();
    }
    Promise<Void> judged = Promise.promise();
    Promise<Void> earlier = checking.putIfAbsent(nodeId, judged);
    if (earlier != null) {
      return earlier.future();
    }
    read(nodeId, judged);
    return judged.future();
  }

  private void read(String nodeId, Promise<Void> judged) {
    nodeInfo.accept(nodeId, (info, failure) -> {
      if (failure == null && info != null) {
        judge(nodeId, info);
      }
      checking.remove(nodeId, judged);
      judged.complete();
    });
  }

  private void judge(String nodeId, NodeInfo info) {
    JsonObject metadata = info.metadata() == null ? new JsonObject() : info.metadata();
    JsonObject proof = metadata.getValue(PROOF) instanceof JsonObject object ? object : null;
    if (proof == null) {
      long since = noProofSince.computeIfAbsent(nodeId, first -> System.nanoTime());
      if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(PROOF_GRACE_MS)) {
        reject(nodeId, metadata, "it published no proof of membership within " + PROOF_GRACE_MS + " ms (no"
          + " cluster.tls, or not a berth node)");
      }
      return;
    }
    noProofSince.remove(nodeId);
    List<String> addresses = strings(metadata.getValue("addresses"));
    Optional<String> problem = tls.check(nodeId, HostPort.format(info.host(), info.port()),
      metadata.getString("hazelcast"), addresses, proof.getString("certificate"), proof.getString("signature"));
    if (problem.isPresent()) {
      reject(nodeId, metadata, problem.get());
      return;
    }
    unproven.remove(nodeId);
    proven.put(nodeId, new Proven(info, Set.copyOf(addresses), ClusterTls.accepted(proof.getString("certificate"))));
    onStandingChanged.accept(nodeId);
  }

  /** Logs once for each member and reason. */
  private void reject(String nodeId, JsonObject metadata, String reason) {
    if (reason.equals(unproven.put(nodeId, reason))) {
      return;
    }
    Object name = metadata.getValue("name");
    log.warn("member {}{} has not proven it belongs to cluster '{}': {}; no request goes to it", nodeId,
      name instanceof String named ? " (" + named + ")" : "", clusterName.get(), reason);
  }

  private static List<String> strings(Object value) {
    return value instanceof JsonArray array
      ? array.stream().filter(String.class::isInstance).map(String.class::cast).toList()
      : List.of();
  }
}
