package dev.berth.protocol;

/** The codes a worker passes to {@code message.fail(code, description)}; 4xx/5xx reach the client as the status. */
public final class FailureCodes {

  /** The request on the bus does not follow the protocol. */
  public static final int BAD_REQUEST = 400;

  private FailureCodes() {
  }
}
