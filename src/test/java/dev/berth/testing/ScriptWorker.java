package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
  private final Process process;
  private final Path output;

  private ScriptWorker(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
  }

  /** Starts a worker named {@code name} serving {@code address} through the bridge at 127.0.0.1:{@code bridgePort}. */
  public static ScriptWorker start(Language language, String name, String address, int bridgePort, String token,
                                   Path logDir) {
    Path output = logDir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(List.of(language.interpreter, language.script))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.environment().putAll(java.util.Map.of("BERTH_BRIDGE", "127.0.0.1:" + bridgePort,
      "BERTH_BRIDGE_TOKEN", token, "BERTH_ADDRESS", address, "BERTH_WORKER_NAME", name, "PYTHONUNBUFFERED", "1"));
    try {
      return new ScriptWorker(name, builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the bridge has acknowledged {@code times} registrations in all (one per connection). */
  public ScriptWorker awaitServing(int times, Duration timeout) {
    Poll.until(name + " registered " + times + " time(s)", timeout, this::registrations, count -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      return count >= times;
    });
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
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: the worker dies holding whatever it holds. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  private int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not exit within " + timeout + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "";
    }
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
