package dev.berth.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The members a node's {@code GET /cluster} lists: the one view of the cluster every test reads. */
public final class Members {

  private Members() {
  }

  /**
   * Members whose metadata can be read, by name; empty while the node does not answer, so that a poll can wait for a
   * node that is still starting.
   */
  public static Map<String, JsonObject> of(String managementUrl) {
    return listed(managementUrl).stream().filter(member -> member.getString("name") != null)
      .collect(Collectors.toMap(member -> member.getString("name"), Function.identity()));
  }

  /** Member name → one field of it, for members that have that field. */
  public static Map<String, String> field(String managementUrl, String field) {
    return of(managementUrl).entrySet().stream().filter(member -> member.getValue().getString(field) != null)
      .collect(Collectors.toMap(Map.Entry::getKey, member -> member.getValue().getString(field)));
  }

  /** Every Hazelcast member the node knows, also those whose metadata cannot be read yet (listed by id only). */
  public static List<JsonObject> all(String managementUrl) {
    return listed(managementUrl);
  }

  /** The node that answers, as it lists itself. */
  public static JsonObject self(String managementUrl) {
    return listed(managementUrl).stream().filter(member -> member.getBoolean("self", false)).findFirst()
      .orElseThrow(() -> new AssertionError(managementUrl + "/cluster lists no member as self"));
  }

  private static List<JsonObject> listed(String managementUrl) {
    Http.Response response = Http.get(managementUrl + "/cluster");
    if (response.status() != 200) {
      return List.of();
    }
    JsonArray members = response.json().getJsonArray("members");
    return members.stream().map(JsonObject.class::cast).toList();
  }
}
