package dev.berth.cluster;

/** TLS material that cannot be used; the message is one line naming the file and what is wrong. */
public final class TlsException extends Exception {

  public TlsException(String message) {
    super(message);
  }
}
