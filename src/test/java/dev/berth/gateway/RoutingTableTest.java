package dev.berth.gateway;

import dev.berth.config.InvalidConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingTableTest {

  private final RoutingTable table = RoutingTable.DEFAULT;

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
    RoutingTable custom = RoutingTable.of(ranges);
    assertThat(custom.addressFor("/Apple")).isEqualTo("abc");
    assertThat(custom.addressFor("/c")).isEqualTo("abc");
    assertThat(custom.addressFor("/d")).isNull();
    assertThat(custom.addressFor("/quince")).isEqualTo("q");
    assertThat(custom.addresses()).containsExactly("abc", "q");
  }

  @Test
  @DisplayName("overlapping ranges are rejected, naming the range and the letter")
  void overlapIsRejected() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("A-M", "first");
    ranges.put("K-Z", "second");
    assertThatThrownBy(() -> RoutingTable.of(ranges))
      .isInstanceOf(InvalidConfigException.class)
      .hasMessage("routes.K-Z overlaps A-M at letter K");
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(strings = {"", "AB", "A-", "-M", "A-M-Z", "1-9", "é", "A..M"})
  @DisplayName("a range key that is not a letter or letter range is rejected")
  void malformedRangeIsRejected(String range) {
    assertThatThrownBy(() -> RoutingTable.of(Map.of(range, "first")))
      .isInstanceOf(InvalidConfigException.class)
      .hasMessage("routes." + range + " must be a letter or a letter range such as \"A-M\"");
  }

  @Test
  @DisplayName("a reversed range is rejected as empty")
  void reversedRangeIsRejected() {
    assertThatThrownBy(() -> RoutingTable.of(Map.of("M-A", "first")))
      .hasMessage("routes.M-A is an empty range: M comes after A");
  }

  @Test
  @DisplayName("an empty table and a blank address are rejected")
  void emptyTableAndBlankAddress() {
    assertThatThrownBy(() -> RoutingTable.of(Map.of())).hasMessageStartingWith("routes must map");
    assertThatThrownBy(() -> RoutingTable.of(Map.of("A", " "))).hasMessage("routes.A must name an event-bus address");
  }
}
