package dev.berth.advertise;

/** The node cannot work out what to advertise; the message is one line that says what to do about it. */
public final class AdvertiseException extends Exception {

  public AdvertiseException(String message) {
    super(message);
  }
}
