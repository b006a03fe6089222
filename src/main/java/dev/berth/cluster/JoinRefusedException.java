package dev.berth.cluster;

/** The cluster refused this node, or a member it met did not prove it belongs: the node cannot serve there. */
public final class JoinRefusedException extends Exception {

  public JoinRefusedException(String message) {
    super(message, null, false, false);
  }
}
