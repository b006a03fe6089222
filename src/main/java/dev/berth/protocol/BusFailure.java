package dev.berth.protocol;

import io.vertx.core.eventbus.ReplyException;

/**
 * One vocabulary for a request that failed, from the worker that fails it, over the bus that carries the failure, to
 * the gateway that answers the client: the codes a worker fails a message with ({@code message.fail(code, text)}),
 * and, for each failure the gateway meets, whether the request may go to another replica and which status the client
 * gets. The message is what the client reads.
 */
public final class BusFailure extends RuntimeException {

  /** The request on the bus does not follow the protocol. */
  public static final int BAD_REQUEST = 400;
  /** The worker failed without saying how: the client gets a 500 without the details. */
  public static final int WORKER_FAILED = 500;
  /** Every worker that could take the request holds as many as it may. */
  public static final int BUSY = 503;
  /** The worker did not answer within its timeout. */
  public static final int TIMEOUT = 504;
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

  /** What went wrong, and what it lets the gateway do. */
  public enum Kind {
    /** Nothing consumed the request where it was sent: any request may go elsewhere; 503 when no node is left. */
    NOT_CONSUMED(Retry.ANY),
    /** The worker that held the request went away: a request that may repeat goes elsewhere; 502 for others. */
    WORKER_LOST(Retry.IF_REPEATABLE),
    /** No reply within the request's time: 504. */
    TIMED_OUT(Retry.NONE),
    /** The worker failed the request, with its status. */
    FAILED_BY_WORKER(Retry.NONE),
    /** The worker's reply does not follow the protocol: 502. */
    INVALID_REPLY(Retry.NONE),
    /** The bus could not carry the request: 502. */
    UNREACHABLE(Retry.NONE);

    private final Retry retry;

    Kind(Retry retry) {
      this.retry = retry;
    }

    public Retry retry() {
      return retry;
    }
  }

  /** Which requests a failure lets the gateway send to another replica. */
  public enum Retry { ANY, IF_REPEATABLE, NONE }

  private final Kind kind;
  private final int status;

  private BusFailure(Kind kind, int status, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.status = status;
  }

  /**
   * What a failed request to {@code address} on the bus means.
   *
   * @param timeoutMs how long the request was given, for the message of one that timed out
   */
  public static BusFailure of(String address, Throwable failure, long timeoutMs) {
    if (failure instanceof BusFailure known) {
      return known;
    }
    if (!(failure instanceof ReplyException reply)) {
      return new BusFailure(Kind.UNREACHABLE, 502, "could not reach address '" + address + "': " + failure.getMessage());
    }
    return switch (reply.failureType()) {
      case NO_HANDLERS -> notConsumed(address);
      case TIMEOUT -> new BusFailure(Kind.TIMED_OUT, 504,
        "no reply from address '" + address + "' within " + timeoutMs + " ms");
      case RECIPIENT_FAILURE -> switch (reply.failureCode()) {
        case NOT_DELIVERED -> notConsumed(address);
        case WORKER_LOST -> workerLost(address, reply.getMessage());
        default -> new BusFailure(Kind.FAILED_BY_WORKER,
          reply.failureCode() >= 400 && reply.failureCode() <= 599 ? reply.failureCode() : 500,
          "worker for address '" + address + "' failed: " + reply.getMessage());
      };
      default -> new BusFailure(Kind.UNREACHABLE, 502, "could not reach address '" + address + "': "
        + reply.getMessage());
    };
  }

  /** No worker consumed the request: 503 once no node is left to try. */
  public static BusFailure notConsumed(String address) {
    return new BusFailure(Kind.NOT_CONSUMED, 503, "no worker for address '" + address + "'");
  }

  /** The worker that held the request went away, as {@code what} says. */
  public static BusFailure workerLost(String address, String what) {
    return new BusFailure(Kind.WORKER_LOST, 502, "address '" + address + "': " + what);
  }

  /** The same loss, once the request may not be sent again. */
  public BusFailure notSentAgain() {
    return new BusFailure(kind, status, getMessage() + "; the request was not sent again, as its method is not"
      + " idempotent");
  }

  public static BusFailure invalidReply(String address, String problem) {
    return new BusFailure(Kind.INVALID_REPLY, 502, "invalid reply from address '" + address + "': " + problem);
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status the client gets. */
  public int status() {
    return status;
  }
}
