package dev.berth.observability;

/** Where a node is in its life; only {@link #READY} counts as healthy. */
public enum NodeState {
  STARTING,
  READY,
  DRAINING
}
