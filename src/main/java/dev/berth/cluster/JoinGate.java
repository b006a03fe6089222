package dev.berth.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The signed join. A joining member carries among its Hazelcast member attributes a statement naming the cluster, its
 * member UUID, the Hazelcast address it advertises and when it signed it, with the signature of its credential (and,
 * in a TLS cluster, its certificate). The master checks the statement against the join request before it admits the
 * member: a statement that is missing, made for another cluster, member or address, older than {@link #MAX_AGE}, or not
 * signed by this cluster's authority (or with its join secret) keeps the member out. The age bound stops a replay of
 * a real member's attributes, which every member can read, once that member is gone.
 */
public final class JoinGate {

  static final String STATEMENT = "berth.join.statement";
  static final String SIGNATURE = "berth.join.signature";
  static final String CERTIFICATE = "berth.join.certificate";
  /** A node signs when its join starts, which lasts at most 30 s (hazelcast.max.join.seconds); the rest is clock skew. */
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  private static final String VERSION = "berth join 1";

  private final String clusterName;
  private final JoinCredential credential;
  private final Clock clock;
  private final Refusals refusals = new Refusals();

  /** What a member states when it joins. */
  record Statement(String cluster, UUID member, String address, Instant signedAt) {

    String text() {
      return String.join("\n", VERSION, cluster, member.toString(), address, Long.toString(signedAt.toEpochMilli()));
    }

    static Optional<Statement> parse(String text) {
      String[] lines = text.split("\n", -1);
      if (lines.length != 5 || !lines[0].equals(VERSION)) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Statement(lines[1], UUID.fromString(lines[2]), lines[3],
          Instant.ofEpochMilli(Long.parseLong(lines[4]))));
      } catch (IllegalArgumentException malformed) {
        return Optional.empty();
      }
    }
  }

  public JoinGate(String clusterName, JoinCredential credential) {
    this(clusterName, credential, Clock.systemUTC());
  }

  JoinGate(String clusterName, JoinCredential credential, Clock clock) {
    this.clusterName = clusterName;
    this.credential = credential;
    this.clock = clock;
  }

  public String clusterName() {
    return clusterName;
  }

  public JoinCredential credential() {
    return credential;
  }

  /** What this gate refused, and the log of it. */
  public Refusals refusals() {
    return refusals;
  }

  /** The attributes a member joins with, stating its UUID and advertised Hazelcast address, signed now. */
  Map<String, String> attributesFor(UUID member, String address) {
    String text = new Statement(clusterName, member, address, clock.instant()).text();
    JoinCredential.Signed signed = credential.sign(text);
    return Map.of(STATEMENT, text, SIGNATURE, signed.signature(), CERTIFICATE, signed.certificatePem());
  }

  /**
   * Why a member that asks to join as {@code member} at {@code address} with {@code attributes} may not, or empty
   * when it may.
   */
  Optional<String> refusal(UUID member, String address, Map<String, String> attributes) {
    String text = attributes.get(STATEMENT);
    String signature = attributes.get(SIGNATURE);
    if (text == null || signature == null) {
      return Optional.of("it carries no signed join statement (not a berth node, or one without this cluster's "
        + credential.kind().configKey() + ")");
    }
    Optional<Statement> parsed = Statement.parse(text);
    if (parsed.isEmpty()) {
      return Optional.of("its join statement cannot be read");
    }
    Statement statement = parsed.get();
    if (!statement.cluster().equals(clusterName)) {
      return Optional.of("its join statement is for cluster '" + statement.cluster() + "'");
    }
    if (!statement.member().equals(member)) {
      return Optional.of("its join statement is for member " + statement.member() + ", not " + member + " (replayed?)");
    }
    if (!statement.address().equals(address)) {
      return Optional.of("its join statement is for address " + statement.address() + ", not " + address
        + " (replayed?)");
    }
    Duration age = Duration.between(statement.signedAt(), clock.instant());
    if (age.compareTo(MAX_AGE) > 0) {
      return Optional.of("its join statement was signed " + age.toSeconds() + " s ago, more than the "
        + MAX_AGE.toSeconds() + " s allowed (replayed, or its clock is behind this one's)");
    }
    if (age.negated().compareTo(MAX_AGE) > 0) {
      return Optional.of("its join statement is signed " + age.negated().toSeconds() + " s in the future (is its"
        + " clock right?)");
    }
    return credential.check(text, new JoinCredential.Signed(signature, attributes.getOrDefault(CERTIFICATE, "")))
      .map(problem -> "its join statement does not hold: " + problem);
  }
}
