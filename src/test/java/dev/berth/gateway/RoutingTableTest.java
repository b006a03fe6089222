package dev.berth.gateway;

import dev.berth.config.Routes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingTableTest {

  private final RoutingTable table = new RoutingTable(Routes.DEFAULT, address -> true);

  @Test
  @DisplayName("every letter A to M, in either case, routes to first; N to Z to second")
  void everyLetterRoutesByHalfOfTheAlphabet() {
    for (char letter = 'A'; letter <= 'Z'; letter++) {
      String expected = letter <= 'M' ? "first" : "second";
      assertThat(address("/" + letter + "rest")).as("upper case %s", letter).isEqualTo(expected);
      assertThat(address("/" + Character.toLowerCase(letter))).as("lower case %s", letter).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("the boundary letters A, M, N and Z land on the right side")
  void boundaryLetters() {
    assertThat(address("/A")).isEqualTo("first");
    assertThat(address("/m")).isEqualTo("first");
    assertThat(address("/M")).isEqualTo("first");
    assertThat(address("/n")).isEqualTo("second");
    assertThat(address("/N")).isEqualTo("second");
    assertThat(address("/z")).isEqualTo("second");
  }

  @ParameterizedTest(name = "\"{0}\" has no route")
  @ValueSource(strings = {"", "/", "//", "/1abc", "/-x", "/é", "/@", "/[", "/`", "/{", "/%41", "/ apple", "apple", "/_a"})
  @DisplayName("a path that does not start with an ASCII letter has no route")
  void nonLettersHaveNoRoute(String path) {
    assertThat(address(path)).isNull();
  }

  /** The address a path is routed to first. */
  private String address(String path) {
    List<String> route = table.routeFor(path);
    return route == null ? null : route.get(0);
  }

  @Test
  @DisplayName("a null path has no route")
  void nullPath() {
    assertThat(address(null)).isNull();
  }

  @Test
  @DisplayName("a configured table routes single letters and ranges, and leaves unmapped letters unrouted")
  void configuredTable() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("a-c", "abc");
    ranges.put("Q", "q");
    RoutingTable custom = new RoutingTable(Routes.of(ranges), address -> true);
    assertThat(custom.routeFor("/Apple")).containsExactly("abc");
    assertThat(custom.routeFor("/c")).containsExactly("abc");
    assertThat(custom.routeFor("/d")).isNull();
    assertThat(custom.routeFor("/quince")).containsExactly("q");
  }

  @Test
  @DisplayName("a range with several addresses routes to the first one served, and to the last when none is; the route"
    + " goes on with the addresses after it")
  void preferredAddresses() {
    Set<String> served = new HashSet<>();
    RoutingTable preferring = new RoutingTable(Routes.withChoices(Map.of("Z", List.of("python", "node", "second"))),
      served::contains);

    assertThat(preferring.routeFor("/zebra")).as("none served").containsExactly("second");
    served.add("node");
    assertThat(preferring.routeFor("/zebra")).containsExactly("node", "second");
    served.add("python");
    assertThat(preferring.routeFor("/zebra")).containsExactly("python", "node", "second");
    served.remove("python");
    assertThat(preferring.routeFor("/zebra")).as("python gone again").containsExactly("node", "second");
  }
}
