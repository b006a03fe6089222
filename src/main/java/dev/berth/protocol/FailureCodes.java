package dev.berth.protocol;

/** The codes a worker passes to {@code message.fail(code, description)}; 4xx/5xx reach the client as the status. */
public final class FailureCodes {

  /** The request on the bus does not follow the protocol. */
  public static final int BAD_REQUEST = 400;
  /** The worker failed without saying how: the client gets a 500 without the details. */
  public static final int WORKER_FAILED = 500;
  /** The worker did not answer within its timeout. */
  public static final int TIMEOUT = 504;
  /** Every worker that could take the request holds as many as it may. */
  public static final int BUSY = 503;
  /**
   * Not an HTTP status: the request reached a node that no longer had a worker for it and was not handled, so the
   * gateway sends it to another replica whatever its method.
   */
  public static final int NOT_DELIVERED = 1001;
  /**
   * Not an HTTP status: the worker that held the request went away before it answered (a bridge client disconnected),
   * so the gateway sends a request that may repeat to another replica, and answers others with 502.
   */
  public static final int WORKER_LOST = 1002;

  private FailureCodes() {
  }
}
