package dev.berth.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** An enum whose constants the config writes in lower case: {@code IO_URING} is {@code io_uring}. */
public interface ConfigName {

  String name();

  default String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The constant {@code value} names; else an error for {@code key} that lists the known names. */
  static <E extends Enum<E> & ConfigName> E parse(String key, String value, E[] constants, String kind) {
    for (E constant : constants) {
      if (constant.configName().equals(value)) {
        return constant;
      }
    }
    String known = Arrays.stream(constants).map(ConfigName::configName).collect(Collectors.joining(", "));
    throw new InvalidConfigException(key, "is an unknown " + kind + " \"" + value + "\" (known: " + known + ")");
  }
}
