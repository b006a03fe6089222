package dev.berth.config;

import java.util.List;
import java.util.Set;

/**
 * How the gateway keeps a request alive when a worker node stops, dies or freezes. An attempt that has not been
 * answered within {@code attemptTimeoutMs} gets a second one on another replica (the first still counts if it
 * answers); a request whose address has no consumer waits up to {@code awaitWorkerMs} for one to appear. Only requests
 * whose method is idempotent (RFC 9110) are sent twice, and those to the addresses in {@code retryAnyMethod}.
 */
public record FailoverConfig(int attemptTimeoutMs, int awaitWorkerMs, Set<String> retryAnyMethod) {

  public static final int DEFAULT_ATTEMPT_TIMEOUT_MS = 1_000;
  public static final int DEFAULT_AWAIT_WORKER_MS = 1_000;
  public static final FailoverConfig DEFAULT =
    new FailoverConfig(DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_AWAIT_WORKER_MS, Set.of());

  public FailoverConfig {
    Checks.inRange("attemptTimeoutMs", attemptTimeoutMs, 1, 600_000);
    Checks.inRange("awaitWorkerMs", awaitWorkerMs, 0, 600_000);
    retryAnyMethod = Set.copyOf(retryAnyMethod);
  }

  static FailoverConfig fromJson(ConfigReader json) {
    return json.construct(() -> new FailoverConfig(
      json.integer("attemptTimeoutMs", DEFAULT_ATTEMPT_TIMEOUT_MS),
      json.integer("awaitWorkerMs", DEFAULT_AWAIT_WORKER_MS),
      Set.copyOf(json.strings("retryAnyMethod", List.of()))));
  }
}
