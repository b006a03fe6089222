package dev.berth.config;

/** Range checks for the compact constructors of the config records; the key is relative to the record. */
public final class Checks {

  /** Shorter secrets are too easy to guess over a network. */
  public static final int MIN_SECRET_LENGTH = 16;

  private Checks() {
  }

  public static int port(String key, int value) {
    return inRange(key, value, 1, 65535);
  }

  /** A port where 0 means "any free port". */
  public static int portOrAny(String key, int value) {
    return inRange(key, value, 0, 65535);
  }

  public static int inRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidConfigException(key, "must be in " + min + ".." + max + ", was " + value);
    }
    return value;
  }

  public static String notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidConfigException(key, "is missing");
    }
    return value;
  }

  /** A shared secret (a bridge token, a join secret) long enough not to be guessed. */
  public static String secretLength(String key, String value) {
    if (value.length() < MIN_SECRET_LENGTH) {
      throw new InvalidConfigException(key, "is " + value.length() + " characters long: use at least "
        + MIN_SECRET_LENGTH + " (openssl rand -hex 16)");
    }
    return value;
  }
}
