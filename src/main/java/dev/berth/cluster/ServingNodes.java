package dev.berth.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * Which nodes serve each address, as the cluster's registry of consumers says, kept up to date as it changes and as
 * nodes leave: what a gateway picks a node by, so that it knows where each request went.
 */
public interface ServingNodes {

  /** Keeps {@link #of} of {@code address} up to date from now on; watching an address again does nothing. */
  void watch(String address);

  /** The nodes that serve a watched address, each once, in a stable order; empty while none does. */
  List<String> of(String address);

  /** Called, on any thread, with each address whose nodes changed. */
  void onChange(Consumer<String> listener);

  /** Called, on any thread, with the id of each node that left the cluster or was found dead. */
  void onNodeLeft(Consumer<String> listener);
}
