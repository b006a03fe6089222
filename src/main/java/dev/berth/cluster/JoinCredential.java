package dev.berth.cluster;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * What a member proves that it belongs with, when it joins and on each Hazelcast connection it opens or accepts: the
 * key of its certificate from the cluster's authority (a TLS cluster), or the join secret every member knows (a plain
 * cluster with {@code cluster.joinSecret}). Either signs a text that the other side then checks.
 */
public sealed interface JoinCredential {

  /** A signature over a text, with the certificate that made it; the certificate is empty for a join secret. */
  record Signed(String signature, String certificatePem) {
  }

  /** How the cluster's members prove themselves, as a word for messages and one letter on the wire. */
  enum Kind {
    CERTIFICATE('T', "cluster.tls"), SECRET('S', "cluster.joinSecret");

    private final char letter;
    private final String configKey;

    Kind(char letter, String configKey) {
      this.letter = letter;
      this.configKey = configKey;
    }

    char letter() {
      return letter;
    }

    /** The config key that gives a node this kind of credential, to name in a refusal. */
    public String configKey() {
      return configKey;
    }

    static Optional<Kind> ofLetter(int letter) {
      for (Kind kind : values()) {
        if (kind.letter == letter) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  Kind kind();

  Signed sign(String text);

  /** @return what is wrong with {@code signed} as a signature of {@code text}, or empty when it holds */
  Optional<String> check(String text, Signed signed);

  static JoinCredential of(ClusterTls tls) {
    return new Certificate(tls);
  }

  static JoinCredential ofSecret(String secret) {
    return new Secret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** The node's certificate signs; the other side checks it comes from the cluster's authority and holds now. */
  record Certificate(ClusterTls tls) implements JoinCredential {

    @Override
    public Kind kind() {
      return Kind.CERTIFICATE;
    }

    @Override
    public Signed sign(String text) {
      return new Signed(tls.sign(text), tls.certificatePem());
    }

    @Override
    public Optional<String> check(String text, Signed signed) {
      if (signed.certificatePem().isEmpty()) {
        return Optional.of("it shows no certificate (a node with cluster.joinSecret instead of cluster.tls?)");
      }
      return tls.checkSigned(text, signed.signature(), signed.certificatePem());
    }
  }

  /** An HMAC-SHA256 with the secret that every member knows. */
  final class Secret implements JoinCredential {

    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] secret;

    private Secret(byte[] secret) {
      this.secret = secret;
    }

    @Override
    public Kind kind() {
      return Kind.SECRET;
    }

    @Override
    public Signed sign(String text) {
      return new Signed(Base64.getEncoder().encodeToString(mac(text)), "");
    }

    @Override
    public Optional<String> check(String text, Signed signed) {
      byte[] presented;
      try {
        presented = Base64.getDecoder().decode(signed.signature());
      } catch (IllegalArgumentException notBase64) {
        return Optional.of("its signature is not Base64");
      }
      return MessageDigest.isEqual(mac(text), presented) ? Optional.empty()
        : Optional.of("it is not signed with this cluster's join secret");
    }

    private byte[] mac(String text) {
      try {
        Mac mac = Mac.getInstance(ALGORITHM);
        mac.init(new SecretKeySpec(secret, ALGORITHM));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
      }
    }

    /** The secret stays out of logs. */
    @Override
    public String toString() {
      return "JoinCredential.Secret";
    }
  }
}
