package dev.berth.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code gateway.routes}: letter ranges to event-bus addresses, {@code {"A-M": "first", "N-Z": "second"}},
 * case-insensitive; a single letter ({@code "Q"}) is a range of one. A range may list several addresses in order of
 * preference, {@code "Z": ["python", "second"]}: the first one some worker serves gets the request. Checked as a
 * whole: every key well-formed, no two ranges overlapping.
 */
public final class Routes {

  public static final int LETTERS = 26;
  public static final Routes DEFAULT = of(defaultRanges());

  private final Map<String, List<String>> ranges;
  private final List<List<String>> addressesByLetter;

  private Routes(Map<String, List<String>> ranges, List<List<String>> addressesByLetter) {
    this.ranges = ranges;
    this.addressesByLetter = addressesByLetter;
  }

  /** Routes with one address per range. */
  public static Routes of(Map<String, String> ranges) {
    Map<String, List<String>> choices = new LinkedHashMap<>();
    ranges.forEach((range, address) -> choices.put(range, address == null ? List.of() : List.of(address)));
    return withChoices(choices);
  }

  /**
   * @param ranges each range's addresses, in order of preference
   * @throws InvalidConfigException naming the range key when a range is malformed, empty or overlaps another
   */
  public static Routes withChoices(Map<String, List<String>> ranges) {
    if (ranges.isEmpty()) {
      throw new InvalidConfigException("routes", "must map at least one letter range to an address");
    }
    List<List<String>> addressesByLetter = new ArrayList<>(Collections.nCopies(LETTERS, null));
    String[] rangeByLetter = new String[LETTERS];
    Map<String, List<String>> checked = new LinkedHashMap<>();
    ranges.forEach((range, addresses) -> {
      String key = "routes." + range;
      if (addresses.isEmpty() || addresses.stream().anyMatch(address -> address == null || address.isBlank())) {
        throw new InvalidConfigException(key, "must name an event-bus address, or a list of them in order of"
          + " preference");
      }
      int[] bounds = parseRange(key, range);
      for (int letter = bounds[0]; letter <= bounds[1]; letter++) {
        if (rangeByLetter[letter] != null) {
          throw new InvalidConfigException(key, "overlaps " + rangeByLetter[letter] + " at letter " + (char) ('A' + letter));
        }
        rangeByLetter[letter] = range;
        addressesByLetter.set(letter, List.copyOf(addresses));
      }
      checked.put(range, List.copyOf(addresses));
    });
    return new Routes(Collections.unmodifiableMap(checked), addressesByLetter);
  }

  /**
   * The addresses for a letter index ({@link #letterIndex}) in order of preference, or null when no range covers that
   * letter.
   */
  public List<String> addressesForLetter(int letter) {
    return addressesByLetter.get(letter);
  }

  /** 0 for A or a up to 25 for Z or z; -1 for anything else, including non-ASCII letters. */
  public static int letterIndex(char c) {
    if (c >= 'a' && c <= 'z') {
      return c - 'a';
    }
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    return -1;
  }

  /** Every address a request may be routed to. */
  public Set<String> addresses() {
    Set<String> addresses = new LinkedHashSet<>();
    ranges.values().forEach(addresses::addAll);
    return addresses;
  }

  public Map<String, List<String>> ranges() {
    return ranges;
  }

  private static int[] parseRange(String key, String range) {
    String[] ends = range.split("-", -1);
    int first = ends.length <= 2 && ends[0].length() == 1 ? letterIndex(ends[0].charAt(0)) : -1;
    int last = ends.length == 1 ? first : ends.length == 2 && ends[1].length() == 1 ? letterIndex(ends[1].charAt(0)) : -1;
    if (first < 0 || last < 0) {
      throw new InvalidConfigException(key, "must be a letter or a letter range such as \"A-M\"");
    }
    if (first > last) {
      throw new InvalidConfigException(key, "is an empty range: " + ends[0] + " comes after " + ends[1]);
    }
    return new int[] {first, last};
  }

  private static Map<String, String> defaultRanges() {
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("A-M", "first");
    ranges.put("N-Z", "second");
    return ranges;
  }

  @Override
  public String toString() {
    return ranges.toString();
  }
}
