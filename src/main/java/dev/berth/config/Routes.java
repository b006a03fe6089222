package dev.berth.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code gateway.routes}: letter ranges to event-bus addresses, {@code {"A-M": "first", "N-Z": "second"}},
 * case-insensitive; a single letter ({@code "Q"}) is a range of one. Checked as a whole: every key well-formed, no two
 * ranges overlapping.
 */
public final class Routes {

  public static final int LETTERS = 26;
  public static final Routes DEFAULT = of(defaultRanges());

  private final Map<String, String> ranges;
  private final String[] addressByLetter;

  private Routes(Map<String, String> ranges, String[] addressByLetter) {
    this.ranges = ranges;
    this.addressByLetter = addressByLetter;
  }

  /**
   * @throws InvalidConfigException naming the range key when a range is malformed, empty or overlaps another
   */
  public static Routes of(Map<String, String> ranges) {
    if (ranges.isEmpty()) {
      throw new InvalidConfigException("routes", "must map at least one letter range to an address");
    }
    String[] addressByLetter = new String[LETTERS];
    String[] rangeByLetter = new String[LETTERS];
    ranges.forEach((range, address) -> {
      String key = "routes." + range;
      if (address == null || address.isBlank()) {
        throw new InvalidConfigException(key, "must name an event-bus address");
      }
      int[] bounds = parseRange(key, range);
      for (int letter = bounds[0]; letter <= bounds[1]; letter++) {
        if (rangeByLetter[letter] != null) {
          throw new InvalidConfigException(key, "overlaps " + rangeByLetter[letter] + " at letter " + (char) ('A' + letter));
        }
        rangeByLetter[letter] = range;
        addressByLetter[letter] = address;
      }
    });
    return new Routes(Collections.unmodifiableMap(new LinkedHashMap<>(ranges)), addressByLetter);
  }

  /** The address for a letter index ({@link #letterIndex}), or null when no range covers that letter. */
  public String addressForLetter(int letter) {
    return addressByLetter[letter];
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

  public Set<String> addresses() {
    return new LinkedHashSet<>(ranges.values());
  }

  public Map<String, String> ranges() {
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
