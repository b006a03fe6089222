package dev.berth.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One of berth's reference bridge workers, run as users run it ({@code python3 workers/python/berth_worker.py} or
 * {@code node workers/node/berth-worker.js}) with its settings in the environment and its output in a file.
 */
public final class ScriptWorker implements AutoCloseable {

  /** The reference workers, each a real interpreter process. */
  public enum Language {
    PYTHON("python3", "workers/python/berth_worker.py"),
    NODE("node", "workers/node/berth-worker.js");

    private final String interpreter;
    private final String script;

    Language(String interpreter, String script) {
      this.interpreter = interpreter;
      this.script = script;
    }
  }

  private final String name;
  private final RunningProcess process;

  private ScriptWorker(String name, RunningProcess process) {
    this.name = name;
    this.process = process;
  }

  /** Starts a worker named {@code name} serving {@code address} through the bridge at 127.0.0.1:{@code bridgePort}. */
  public static ScriptWorker start(Language language, String name, String address, int bridgePort, String token,
                                   Path logDir) {
    ProcessBuilder builder = new ProcessBuilder(List.of(language.interpreter, language.script));
    builder.environment().putAll(Map.of("BERTH_BRIDGE", "127.0.0.1:" + bridgePort, "BERTH_BRIDGE_TOKEN", token,
      "BERTH_ADDRESS", address, "BERTH_WORKER_NAME", name, "PYTHONUNBUFFERED", "1"));
    return new ScriptWorker(name, RunningProcess.start(name, builder, logDir.resolve(name + ".log")));
  }

  /** Waits until the bridge has acknowledged {@code times} registrations in all (one per connection). */
  public ScriptWorker awaitServing(int times, Duration timeout) {
    try {
      Poll.until(name + " registered " + times + " time(s)", timeout, this::registrations, count -> {
        process.assertAlive("before it registered");
        return count >= times;
      });
    } catch (AssertionError notServing) {
      throw new AssertionError(notServing.getMessage() + ":\n" + output(), notServing);
    }
    return this;
  }

  public ScriptWorker awaitServing(Duration timeout) {
    return awaitServing(1, timeout);
  }

  /** How many times the bridge acknowledged this worker's registration. */
  public int registrations() {
    return (int) output().lines().filter(line -> line.startsWith(name + " serves ")).count();
  }

  /** SIGTERM, then the exit code. */
  public int stop(Duration timeout) {
    return process.stop(timeout);
  }

  /** SIGKILL: the worker dies holding whatever it holds. */
  public void kill() {
    process.kill();
  }

  public String output() {
    return process.output();
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    process.close();
  }
}
