package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process a test started, its output in a file: stopped by SIGTERM or killed by SIGKILL, with whatever it started,
 * every wait bounded.
 */
public final class RunningProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path output;

  private RunningProcess(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
  }

  /** Starts {@code builder}, its output and errors written to {@code output}, which it replaces. */
  public static RunningProcess start(String name, ProcessBuilder builder, Path output) {
    try {
      return new RunningProcess(name, builder.redirectErrorStream(true).redirectOutput(output.toFile()).start(),
        output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails when the process has exited. */
  void assertAlive(String expectation) {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited with " + process.exitValue() + " " + expectation);
    }
  }

  /** Sends SIGTERM and waits for the exit code. */
  public int stop(Duration timeout) {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL to the process and whatever it started, then waits for the exit. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  public int awaitExit(Duration timeout) {
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
      return "(no output: " + e.getMessage() + ")";
    }
  }

  long pid() {
    return process.pid();
  }

  /** Kills the process and every process it started that is still there: a script's children too. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
