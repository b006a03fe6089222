package dev.berth.runtime;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * A check of the certificate a TLS peer showed, once its handshake succeeded, and again whenever the check changed: a
 * cluster's revocation list, which can change while the node runs, whereas the TLS options Vert.x reads are fixed
 * when it starts.
 */
public interface PeerCheck {

  /** Lets every peer the TLS handshake accepted through. */
  PeerCheck NONE = new PeerCheck() {
    @Override
    public Optional<String> refusal(X509Certificate certificate) {
      return Optional.empty();
    }

    @Override
    public long version() {
      return 0;
    }
  };

  /** Why the connection of the peer that showed {@code certificate} is to be closed, or empty when it may stay. */
  Optional<String> refusal(X509Certificate certificate);

  /** Changes whenever a peer let through before may be refused now: each connection then judges its peer again. */
  long version();
}
