package dev.berth.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A process the tests start and stop by name, its output in a file: what a berth node and a worker process share. */
public abstract class NamedProcess implements AutoCloseable {

  protected final String name;
  protected final RunningProcess process;

  protected NamedProcess(String name, RunningProcess process) {
    this.name = name;
    this.process = process;
  }

  /** Polls until {@code done}; fails with the process's output when it dies first or the deadline passes. */
  protected <T> void awaitWhileAlive(String what, Duration timeout, Supplier<T> value, Predicate<T> done) {
    try {
      Poll.until(name + " " + what, timeout, value, found -> {
        process.assertAlive("before it was " + what);
        return done.test(found);
      });
    } catch (AssertionError notYet) {
      throw new AssertionError(notYet.getMessage() + ":\n" + output(), notYet);
    }
  }

  /** SIGTERM, then the exit code. */
  public int stop(Duration timeout) {
    return process.stop(timeout);
  }

  /** SIGKILL to it and what it started: it dies holding what it holds, without leaving its cluster, like a crashed host. */
  public void kill() {
    process.kill();
  }

  /** The exit code, once the process exited by itself. */
  public int awaitExit(Duration timeout) {
    return process.awaitExit(timeout);
  }

  public String output() {
    return process.output();
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.close();
  }
}
