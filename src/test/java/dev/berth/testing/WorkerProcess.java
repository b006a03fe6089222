package dev.berth.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo worker of one of berth's worker packages, installed and run as a user runs it ({@code python -m
 * berth_worker}, {@code npx berth-worker}, the Go {@code berth-worker} binary; {@link WorkerPackages}), with its
 * settings in the environment and its output in a file.
 */
public final class WorkerProcess extends NamedProcess {

  /** The worker packages, each run as a real process of its language. */
  public enum Language {
    PYTHON("Python"), NODE("Node.js"), GO("Go");

    private final String title;

    Language(String title) {
      this.title = title;
    }

    /** As the demo worker names its language: "Hello from Node.js worker …". */
    public String title() {
      return title;
    }
  }

  private WorkerProcess(String name, RunningProcess process) {
    super(name, process);
  }

  /**
   * Starts a worker named {@code name} serving {@code address} through the bridge at 127.0.0.1:{@code bridgePort}; with
   * a null {@code token}, without one.
   */
  public static WorkerProcess start(Language language, String name, String address, int bridgePort, String token,
                                   Path logDir) {
    ProcessBuilder builder = new ProcessBuilder(WorkerPackages.demoCommand(language));
    builder.environment().putAll(Map.of("BERTH_BRIDGE", "127.0.0.1:" + bridgePort, "BERTH_ADDRESS", address,
      "BERTH_WORKER_NAME", name, "PYTHONUNBUFFERED", "1"));
    builder.environment().remove("BERTH_BRIDGE_TOKEN_FILE");
    if (token == null) {
      builder.environment().remove("BERTH_BRIDGE_TOKEN");
    } else {
      builder.environment().put("BERTH_BRIDGE_TOKEN", token);
    }
    return new WorkerProcess(name, RunningProcess.start(name, builder, logDir.resolve(name + ".log")));
  }

  /** Waits until the bridge has acknowledged {@code times} registrations in all (one per connection). */
  public WorkerProcess awaitServing(int times, Duration timeout) {
    awaitWhileAlive("registered " + times + " time(s)", timeout, this::registrations, count -> count >= times);
    return this;
  }

  public WorkerProcess awaitServing(Duration timeout) {
    return awaitServing(1, timeout);
  }

  /** How many times the bridge acknowledged this worker's registration. */
  public int registrations() {
    return (int) output().lines().filter(line -> line.startsWith(name + " serves ")).count();
  }
}
