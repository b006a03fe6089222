package dev.berth.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutesTest {

  @Test
  @DisplayName("configured routes list their addresses once each, in file order")
  void addresses() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("a-c", "abc");
    ranges.put("Q", "q");
    ranges.put("X-Z", "abc");
    assertThat(Routes.of(ranges).addresses()).containsExactly("abc", "q");
  }

  @Test
  @DisplayName("overlapping ranges are rejected, naming the range and the letter")
  void overlapIsRejected() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("A-M", "first");
    ranges.put("K-Z", "second");
    assertThatThrownBy(() -> Routes.of(ranges))
      .isInstanceOf(InvalidConfigException.class)
      .hasMessage("routes.K-Z overlaps A-M at letter K");
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(strings = {"", "AB", "A-", "-M", "A-M-Z", "1-9", "é", "A..M"})
  @DisplayName("a range key that is not a letter or letter range is rejected")
  void malformedRangeIsRejected(String range) {
    assertThatThrownBy(() -> Routes.of(Map.of(range, "first")))
      .isInstanceOf(InvalidConfigException.class)
      .hasMessage("routes." + range + " must be a letter or a letter range such as \"A-M\"");
  }

  @Test
  @DisplayName("a reversed range is rejected as empty")
  void reversedRangeIsRejected() {
    assertThatThrownBy(() -> Routes.of(Map.of("M-A", "first")))
      .hasMessage("routes.M-A is an empty range: M comes after A");
  }

  @Test
  @DisplayName("an empty table and a blank address are rejected")
  void emptyTableAndBlankAddress() {
    assertThatThrownBy(() -> Routes.of(Map.of())).hasMessageStartingWith("routes must map");
    assertThatThrownBy(() -> Routes.of(Map.of("A", " ")))
      .hasMessage("routes.A must name an event-bus address, or a list of them in order of preference");
    assertThatThrownBy(() -> Routes.withChoices(Map.of("A", List.of())))
      .hasMessage("routes.A must name an event-bus address, or a list of them in order of preference");
  }

  @Test
  @DisplayName("a range's addresses in order of preference are all addresses of the routes")
  void choices() {
    Map<String, List<String>> ranges = new LinkedHashMap<>();
    ranges.put("A-M", List.of("first"));
    ranges.put("Z", List.of("python", "second"));
    Routes routes = Routes.withChoices(ranges);

    assertThat(routes.addresses()).containsExactly("first", "python", "second");
    assertThat(routes.addressesForLetter(25)).containsExactly("python", "second");
    assertThat(routes.addressesForLetter(24)).isNull();
  }
}
