package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * berth's worker packages, installed as their READMEs tell a user, once per test run, under
 * {@code target/worker-packages}: Python with pip into a virtual environment, Node.js with npm into a project, Go
 * built with the go tool. Offline: pip neither isolates the build nor reads an index, npm reads only its cache, Go has
 * no module to fetch.
 */
public final class WorkerPackages {

  private static final Path ROOT = Path.of("target", "worker-packages").toAbsolutePath();
  private static final Path WORKERS = Path.of("workers").toAbsolutePath();
  private static final Duration INSTALL_BOUND = Duration.ofMinutes(3);
  private static final Map<WorkerProcess.Language, List<String>> installed = new ConcurrentHashMap<>();

  private WorkerPackages() {
  }

  /** The command that runs the language's demo worker, from its installed package. */
  static List<String> demoCommand(WorkerProcess.Language language) {
    return installed.computeIfAbsent(language, WorkerPackages::install);
  }

  private static List<String> install(WorkerProcess.Language language) {
    Path home = ROOT.resolve(language.name().toLowerCase(java.util.Locale.ROOT));
    try {
      Files.createDirectories(home);
      switch (language) {
        case PYTHON -> {
          // Debian's interpreter: it has setuptools and wheel, which an offline build without isolation needs.
          run(home, "venv", "/usr/bin/python3", "-m", "venv", "--clear", "--system-site-packages", home.resolve("venv").toString());
          run(home, "pip install", home.resolve("venv/bin/pip").toString(), "install", "--no-build-isolation", "--no-index",
            WORKERS.resolve("python").toString());
          return List.of(home.resolve("venv/bin/python").toString(), "-m", "berth_worker");
        }
        case NODE -> {
          Files.writeString(home.resolve("package.json"), "{\"name\": \"berth-it\", \"private\": true}\n");
          run(home, "npm install", "npm", "install", "--offline", "--no-audit", "--no-fund",
            WORKERS.resolve("node").toString());
          // What npx berth-worker runs, without npx in between: npx does not pass SIGTERM on.
          return List.of(home.resolve("node_modules/.bin/berth-worker").toString());
        }
        case GO -> {
          Path binary = home.resolve("berth-worker");
          ProcessBuilder build = new ProcessBuilder("go", "build", "-o", binary.toString(), "./cmd/berth-worker")
            .directory(WORKERS.resolve("go").toFile());
          build.environment().putAll(Map.of("CGO_ENABLED", "0", "GOPROXY", "off", "GOFLAGS", "-mod=mod"));
          run(home, "go build", build);
          return List.of(binary.toString());
        }
        default -> throw new IllegalArgumentException(language.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(Path home, String step, String... command) {
    run(home, step, new ProcessBuilder(command).directory(home.toFile()));
  }

  private static void run(Path home, String step, ProcessBuilder builder) {
    Path log = home.resolve(step.replace(' ', '-') + ".log");
    try (RunningProcess process = RunningProcess.start(step, builder, log)) {
      int exit = process.awaitExit(INSTALL_BOUND);
      if (exit != 0) {
        throw new AssertionError(step + " exited with " + exit + ":\n" + process.output());
      }
    }
  }
}
