package dev.berth.docker;

/**
 * This process's container as the Docker API knows it: a full or short id (or a name), and where it was found, e.g.
 * {@code /proc/self/mountinfo}, so that a wrong guess can be traced.
 */
public record ContainerIdentity(String id, String source) {

  /** The 12-character form {@code docker ps} shows. */
  public String shortId() {
    return id.length() > 12 && id.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? id.substring(0, 12) : id;
  }
}
