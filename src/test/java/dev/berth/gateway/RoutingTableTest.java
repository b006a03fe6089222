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
      assertThat(table.addressFor("/" + letter + "rest")).as("upper case %s", letter).isEqualTo(expected);
      assertThat(table.addressFor("/" + Character.toLowerCase(letter))).as("lower case %s", letter).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("the boundary letters A, M, N and Z land on the right side")
  void boundaryLetters() {
    assertThat(table.addressFor("/A")).isEqualTo("first");
    assertThat(table.addressFor("/m")).isEqualTo("first");
    assertThat(table.addressFor("/M")).isEqualTo("first");
    assertThat(table.addressFor("/n")).isEqualTo("second");
    assertThat(table.addressFor("/N")).isEqualTo("second");
    assertThat(table.addressFor("/z")).isEqualTo("second");
  }

  @ParameterizedTest(name = "\"{0}\" has no route")
  @ValueSource(strings = {"", "/", "//", "/1abc", "/-x", "/é", "/@", "/[", "/`", "/{", "/%41", "/ apple", "apple", "/_a"})
  @DisplayName("a path that does not start with an ASCII letter has no route")
  void nonLettersHaveNoRoute(String path) {
    assertThat(table.addressFor(path)).isNull();
  }

  @Test
  @DisplayName("a null path has no route")
  void nullPath() {
    assertThat(table.addressFor(null)).isNull();
  }

  @Test
  @DisplayName("a configured table routes single letters and ranges, and leaves unmapped letters unrouted")
  void configuredTable() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("a-c", "abc");
    ranges.put("Q", "q");
    RoutingTable custom = new RoutingTable(Routes.of(ranges), address -> true);
    assertThat(custom.addressFor("/Apple")).isEqualTo("abc");
    assertThat(custom.addressFor("/c")).isEqualTo("abc");
    assertThat(custom.addressFor("/d")).isNull();
    assertThat(custom.addressFor("/quince")).isEqualTo("q");
  }

  @Test
  @DisplayName("a range with several addresses routes to the first one served, and to the last when none is")
  void preferredAddresses() {
    Set<String> served = new HashSet<>();
    RoutingTable preferring = new RoutingTable(Routes.withChoices(Map.of("Z", List.of("python", "node", "second"))),
      served::contains);

    assertThat(preferring.addressFor("/zebra")).as("none served").isEqualTo("second");
    served.add("node");
    assertThat(preferring.addressFor("/zebra")).isEqualTo("node");
    served.add("python");
    assertThat(preferring.addressFor("/zebra")).isEqualTo("python");
    served.remove("python");
    assertThat(preferring.addressFor("/zebra")).as("python gone again").isEqualTo("node");
  }
}
