package dev.berth.config;

/** A config value that is missing, of the wrong type or out of range; {@link #key()} names it as a JSON path. */
public final class InvalidConfigException extends IllegalArgumentException {

  private final String key;
  private final String problem;

  public InvalidConfigException(String key, String problem) {
    super(key + " " + problem);
    this.key = key;
    this.problem = problem;
  }

  public String key() {
    return key;
  }

  public String problem() {
    return problem;
  }
}
