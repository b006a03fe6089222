package dev.berth.testing;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The members a node's GET /cluster lists, by name. */
public final class Members {

  private Members() {
  }

  /**
   * Members that have published their metadata, by name; empty while the node does not answer, so that a poll can wait
   * for a node that is still starting.
   */
  public static Map<String, JsonObject> of(String managementUrl) {
    Http.Response response = Http.get(managementUrl + "/cluster");
    if (response.status() != 200) {
      return Map.of();
    }
    return response.json().getJsonArray("members").stream().map(JsonObject.class::cast)
      .filter(member -> member.getString("name") != null && member.getString("hazelcast") != null)
      .collect(Collectors.toMap(member -> member.getString("name"), Function.identity()));
  }
}
