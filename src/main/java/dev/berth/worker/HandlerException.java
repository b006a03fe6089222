package dev.berth.worker;

/** A worker's handler class that cannot be used; the message is one line naming the worker's key. */
public final class HandlerException extends Exception {

  public HandlerException(String message) {
    super(message, null, false, false);
  }
}
