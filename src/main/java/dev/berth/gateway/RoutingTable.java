package dev.berth.gateway;

import dev.berth.config.Routes;

import java.util.List;
import java.util.function.Predicate;

/**
 * The gateway's lookup of a request path's first letter in the configured {@link Routes}: of a range's addresses, the
 * first that some worker serves, or the last when none does, with the addresses after it, where a request goes on
 * when no worker of that one is left to take it.
 */
public final class RoutingTable {

  private final Routes routes;
  private final Predicate<String> served;

  /** @param served whether some worker serves an address now */
  public RoutingTable(Routes routes, Predicate<String> served) {
    this.routes = routes;
    this.served = served;
  }

  /**
   * The route of a decoded request path, its address first, or {@code null} when its first character is not a routed
   * letter.
   */
  public List<String> routeFor(String path) {
    if (path == null || path.length() < 2 || path.charAt(0) != '/') {
      return null;
    }
    int letter = Routes.letterIndex(path.charAt(1));
    List<String> addresses = letter < 0 ? null : routes.addressesForLetter(letter);
    if (addresses == null) {
      return null;
    }
    int first = 0;
    while (first < addresses.size() - 1 && !served.test(addresses.get(first))) {
      first++;
    }
    return first == 0 ? addresses : addresses.subList(first, addresses.size());
  }
}
