package dev.berth.gateway;

import dev.berth.config.Routes;

/** The gateway's lookup of a request path's first letter in the configured {@link Routes}. */
public final class RoutingTable {

  private final Routes routes;

  public RoutingTable(Routes routes) {
    this.routes = routes;
  }

  /** The address for a decoded request path, or {@code null} when its first character is not a routed letter. */
  public String addressFor(String path) {
    if (path == null || path.length() < 2 || path.charAt(0) != '/') {
      return null;
    }
    int letter = Routes.letterIndex(path.charAt(1));
    return letter < 0 ? null : routes.addressForLetter(letter);
  }
}
