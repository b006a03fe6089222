package dev.berth.protocol;

/** A message on the bus that does not follow docs/protocol.md. */
public final class ProtocolException extends IllegalArgumentException {

  public ProtocolException(String message) {
    super(message);
  }
}
