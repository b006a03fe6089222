package dev.berth.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Strict reads of protocol fields: a value of the wrong type is an error naming the field, never coerced. */
final class JsonFields {

  private JsonFields() {
  }

  static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw wrongType(field, "a string");
    }
    return (String) value;
  }

  static Integer integer(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof Integer)) {
      throw wrongType(field, "an integer");
    }
    return (Integer) value;
  }

  static JsonObject object(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof JsonObject)) {
      throw wrongType(field, "an object");
    }
    return (JsonObject) value;
  }

  static JsonArray array(JsonObject json, String field, String description) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw wrongType(description, "an array");
    }
    return array;
  }

  private static ProtocolException wrongType(String field, String expected) {
    return new ProtocolException("field \"" + field + "\" must be " + expected);
  }
}
