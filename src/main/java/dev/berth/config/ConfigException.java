package dev.berth.config;

/** A config that cannot be used; the message is one line naming the file and the key, fit to print as is. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}
