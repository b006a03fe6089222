package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An HTTP request as the gateway puts it on the event bus (docs/protocol.md):
 * {@code {"method":"GET","path":"/apple","query":"x=1","headers":{"host":["..."]},"bodyBase64":"..."}}.
 * Header names are lower case; {@code query} and {@code bodyBase64} are left out when empty.
 */
public record BusRequest(String method, String path, String query, Map<String, List<String>> headers, Buffer body) {

  /** RFC 9110 section 9.2.2: a repeated request has the same effect as one. */
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  public BusRequest {
    requireText("method", method);
    requireText("path", path);
    headers = headers == null ? Map.of() : headers;
    body = body == null ? Buffer.buffer() : body;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("method", method).put("path", path);
    if (query != null && !query.isEmpty()) {
      json.put("query", query);
    }
    JsonObject headerJson = new JsonObject();
    headers.forEach((name, values) -> headerJson.put(name, new JsonArray(values)));
    json.put("headers", headerJson);
    if (body.length() > 0) {
      json.put("bodyBase64", Base64Body.encode(body));
    }
    return json;
  }

  /**
   * @throws ProtocolException when a field is missing or has the wrong type
   */
  public static BusRequest fromJson(Object message) {
    if (!(message instanceof JsonObject json)) {
      throw new ProtocolException("a request must be a JSON object");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    JsonObject headerJson = JsonFields.object(json, "headers");
    if (headerJson != null) {
      for (String name : headerJson.fieldNames()) {
        List<String> values = new ArrayList<>();
        for (Object value : JsonFields.array(headerJson, name, "headers." + name)) {
          if (!(value instanceof String text)) {
            throw new ProtocolException("field \"headers." + name + "\" must hold strings");
          }
          values.add(text);
        }
        headers.put(name, values);
      }
    }
    return new BusRequest(JsonFields.string(json, "method"), JsonFields.string(json, "path"),
      JsonFields.string(json, "query"), headers, Base64Body.decode(JsonFields.string(json, "bodyBase64")));
  }

  /** Whether a request with {@code method} may reach a worker twice. */
  public static boolean idempotent(String method) {
    return IDEMPOTENT.contains(method);
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new ProtocolException("missing field \"" + field + "\"");
    }
  }
}
