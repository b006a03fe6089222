package dev.berth.node;

/** A node with TLS in a cluster without it, or the other way round: it cannot serve there. */
public final class SecurityMismatchException extends RuntimeException {

  SecurityMismatchException(String message) {
    super(message, null, false, false);
  }
}
