package dev.berth.worker;

/** Fails a request with an HTTP status of the handler's choosing, 400..599, and a message the client sees. */
public final class WorkerFailure extends RuntimeException {

  private final int status;

  public WorkerFailure(int status, String message) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("a failure's status must be in 400..599, was " + status);
    }
    this.status = status;
  }

  public int status() {
    return status;
  }
}
