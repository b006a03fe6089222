package dev.berth.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Typed access to one JSON object of the config; every error names the full key, e.g. {@code workers[1].delayMs}.
 */
final class ConfigReader {

  private final JsonObject json;
  private final String path;

  ConfigReader(JsonObject json, String path) {
    this.json = json;
    this.path = path;
  }

  static ConfigReader root(JsonObject json) {
    return new ConfigReader(json, "");
  }

  String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  boolean has(String name) {
    return json.getValue(name) != null;
  }

  /** Rejects keys this object does not know, so that a typo is an error instead of a silent default. */
  ConfigReader allowOnly(String... names) {
    Set<String> known = Set.of(names);
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        throw new InvalidConfigException(key(name), "is not a known key (known: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
    return this;
  }

  int integer(String name, int defaultValue) {
    Integer value = optionalInteger(name);
    return value == null ? defaultValue : value;
  }

  Integer optionalInteger(String name) {
    Object value = json.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long) {
      long number = ((Number) value).longValue();
      if (number == (int) number) {
        return (int) number;
      }
    }
    throw new InvalidConfigException(key(name), "must be an integer, was " + describe(value));
  }

  boolean bool(String name, boolean defaultValue) {
    Boolean flag = typed(name, Boolean.class, "true or false");
    return flag == null ? defaultValue : flag;
  }

  String string(String name, String defaultValue) {
    String text = typed(name, String.class, "a non-empty string");
    if (text != null && text.isBlank()) {
      throw new InvalidConfigException(key(name), "must be a non-empty string, was " + describe(text));
    }
    return text == null ? defaultValue : text;
  }

  /** A file's path, or null when the key is absent. */
  Path path(String name) {
    String value = string(name, null);
    return value == null ? null : Path.of(value);
  }

  String requiredString(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new InvalidConfigException(key(name), "is missing");
    }
    return value;
  }

  List<String> strings(String name, List<String> defaultValue) {
    JsonArray array = array(name);
    if (array == null) {
      return defaultValue;
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object value = array.getValue(i);
      if (!(value instanceof String text) || text.isBlank()) {
        throw new InvalidConfigException(key(name) + "[" + i + "]", "must be a non-empty string, was " + describe(value));
      }
      values.add(text);
    }
    return List.copyOf(values);
  }

  /**
   * A secret given as is under {@code name}, or read from the file named under {@code fileName} (a Docker secret,
   * say), without the line break at its end as {@code openssl rand -hex 16 > file} writes it; null when neither is set.
   */
  String secret(String name, String fileName) {
    String value = string(name, null);
    String file = string(fileName, null);
    if (value != null && file != null) {
      throw new InvalidConfigException(key(fileName), "is set with " + name + ": give the secret one way");
    }
    if (file == null) {
      return value;
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(key(fileName), "names " + file + ", which does not exist");
    } catch (AccessDeniedException e) {
      throw new InvalidConfigException(key(fileName), "names " + file + ", which this user may not read");
    } catch (IOException e) {
      throw new InvalidConfigException(key(fileName), "names " + file + ", which cannot be read: " + e.getMessage());
    }
  }

  /** The nested object, or an empty one when the key is absent, so that every default applies. */
  ConfigReader object(String name) {
    JsonObject object = typed(name, JsonObject.class, "a JSON object");
    return new ConfigReader(object == null ? new JsonObject() : object, key(name));
  }

  /** A JSON object taken as it is, for a plugin's own settings; empty when absent. */
  JsonObject jsonObject(String name) {
    return object(name).json;
  }

  List<ConfigReader> objects(String name) {
    JsonArray array = array(name);
    if (array == null) {
      return List.of();
    }
    List<ConfigReader> readers = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object value = array.getValue(i);
      String itemKey = key(name) + "[" + i + "]";
      if (!(value instanceof JsonObject object)) {
        throw new InvalidConfigException(itemKey, "must be a JSON object, was " + describe(value));
      }
      readers.add(new ConfigReader(object, itemKey));
    }
    return readers;
  }

  /**
   * Runs a record constructor, turning the record-relative key of its check ("port") into the full key
   * ("management.port"); keys this reader produced are already full.
   */
  <T> T construct(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (InvalidConfigException e) {
      if (path.isEmpty() || e.key().startsWith(path + ".")) {
        throw e;
      }
      throw new InvalidConfigException(key(e.key()), e.problem());
    }
  }

  /** The object's entries, each a string or an array of strings, as lists in file order. */
  Map<String, List<String>> stringOrStringsMap(String name) {
    ConfigReader object = object(name);
    Map<String, List<String>> entries = new LinkedHashMap<>();
    for (String field : object.json.fieldNames()) {
      entries.put(field, object.json.getValue(field) instanceof JsonArray
        ? object.strings(field, List.of())
        : List.of(object.requiredString(field)));
    }
    return entries;
  }

  private JsonArray array(String name) {
    return typed(name, JsonArray.class, "a JSON array");
  }

  /** The value at {@code name}, or null when absent; anything else than {@code type} is an error. */
  private <T> T typed(String name, Class<T> type, String expected) {
    Object value = json.getValue(name);
    if (value == null) {
      return null;
    }
    if (!type.isInstance(value)) {
      throw new InvalidConfigException(key(name), "must be " + expected + ", was " + describe(value));
    }
    return type.cast(value);
  }

  private static String describe(Object value) {
    if (value instanceof String) {
      return "\"" + value + "\"";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return String.valueOf(value);
  }
}
