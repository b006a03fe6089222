package dev.berth.protocol;

/** The codes a worker passes to {@code message.fail(code, description)}; 4xx/5xx reach the client as the status. */
public final class FailureCodes {

  /** The request on the bus does not follow the protocol. */
  public static final int BAD_REQUEST = 400;
  /** The worker failed without saying how: the client gets a 500 without the details. */
  public static final int WORKER_FAILED = 500;
  /** The worker did not answer within its timeout. */
  public static final int TIMEOUT = 504;

  private FailureCodes() {
  }
}
