package dev.berth.config;

import io.vertx.core.json.JsonObject;

/**
 * One worker: the event-bus address it consumes, how many verticle instances serve it on this node, and what answers:
 * either berth's fixed text ({@code response}, after an optional simulated delay), or the class named by
 * {@code handler}, given {@code options} and {@code timeoutMs} to answer each request.
 */
public record WorkerConfig(String address, String response, int delayMs, int instances, String handler,
                           JsonObject options, int timeoutMs) {

  public static final int DEFAULT_DELAY_MS = 0;
  public static final int DEFAULT_INSTANCES = 1;
  /** As long as a gateway waits for an answer by default: a handler answering later answers nobody. */
  public static final int DEFAULT_TIMEOUT_MS = GatewayConfig.DEFAULT_REQUEST_TIMEOUT_MS;

  public WorkerConfig {
    Checks.notBlank("address", address);
    if (handler == null && response == null) {
      throw new InvalidConfigException("response", "is missing: give the text to answer, or a handler class");
    }
    if (handler != null) {
      Checks.notBlank("handler", handler);
      if (response != null) {
        throw new InvalidConfigException("response", "is set with handler: a worker answers with one of them");
      }
      if (delayMs != DEFAULT_DELAY_MS) {
        throw new InvalidConfigException("delayMs", "is for the fixed-text worker: a handler takes its own time");
      }
    } else if (options != null) {
      throw new InvalidConfigException("options", "is for a handler: this worker answers the response text");
    }
    Checks.inRange("delayMs", delayMs, 0, 600_000);
    Checks.inRange("instances", instances, 1, 256);
    Checks.inRange("timeoutMs", timeoutMs, 1, 600_000);
    options = options == null ? new JsonObject() : options.copy();
  }

  /** berth's own worker, answering {@code response} after {@code delayMs}. */
  public static WorkerConfig fixedText(String address, String response, int delayMs, int instances) {
    return new WorkerConfig(address, response, delayMs, instances, null, null, DEFAULT_TIMEOUT_MS);
  }

  /** The longest a request may wait on this worker once it arrived: its delay, or its handler's timeout. */
  public int longestAnswerMs() {
    return handler == null ? delayMs : timeoutMs;
  }

  static WorkerConfig fromJson(ConfigReader json) {
    json.allowOnly("address", "response", "delayMs", "instances", "handler", "options", "timeoutMs");
    if (json.has("timeoutMs") && !json.has("handler")) {
      throw new InvalidConfigException(json.key("timeoutMs"), "is for a handler: the fixed-text worker answers after"
        + " delayMs");
    }
    return json.construct(() -> new WorkerConfig(
      json.requiredString("address"),
      json.string("response", null),
      json.integer("delayMs", DEFAULT_DELAY_MS),
      json.integer("instances", DEFAULT_INSTANCES),
      json.string("handler", null),
      json.has("options") ? json.jsonObject("options") : null,
      json.integer("timeoutMs", DEFAULT_TIMEOUT_MS)));
  }
}
