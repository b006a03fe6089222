package dev.berth.config;

/**
 * One worker: the event-bus address it consumes, the text it answers, an optional simulated delay and how many
 * verticle instances serve the address on this node.
 */
public record WorkerConfig(String address, String response, int delayMs, int instances) {

  public static final int DEFAULT_DELAY_MS = 0;
  public static final int DEFAULT_INSTANCES = 1;

  public WorkerConfig {
    Checks.notBlank("address", address);
    if (response == null) {
      throw new InvalidConfigException("response", "is missing");
    }
    Checks.inRange("delayMs", delayMs, 0, 600_000);
    Checks.inRange("instances", instances, 1, 256);
  }

  static WorkerConfig fromJson(ConfigReader json) {
    json.allowOnly("address", "response", "delayMs", "instances");
    return json.construct(() -> new WorkerConfig(
      json.requiredString("address"),
      json.requiredString("response"),
      json.integer("delayMs", DEFAULT_DELAY_MS),
      json.integer("instances", DEFAULT_INSTANCES)));
  }
}
