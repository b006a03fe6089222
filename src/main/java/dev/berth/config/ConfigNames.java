package dev.berth.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an enum's constants are written in the config: lower case ({@code IO_URING} is {@code io_uring}). */
final class ConfigNames {

  private ConfigNames() {
  }

  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** The constant {@code value} names; else an error for {@code key} that lists the known names. */
  static <E extends Enum<E>> E parse(String key, String value, E[] constants, String kind) {
    for (E constant : constants) {
      if (of(constant).equals(value)) {
        return constant;
      }
    }
    String known = Arrays.stream(constants).map(ConfigNames::of).collect(Collectors.joining(", "));
    throw new InvalidConfigException(key, "is an unknown " + kind + " \"" + value + "\" (known: " + known + ")");
  }
}
