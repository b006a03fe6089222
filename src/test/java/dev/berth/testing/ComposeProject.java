package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One docker-compose project of the repository's docker-compose.yml, under a unique name, driven through the compose
 * CLI as a user would: Debian's {@code docker-compose} (v1) when it is installed, else {@code docker compose} (v2);
 * BERTH_COMPOSE picks one explicitly. {@link #down} and {@link #close()} keep its containers' logs under
 * target/it-logs before they remove the containers; {@link #close()} brings it down whatever happened.
 */
public final class ComposeProject implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

  private final String name = "berthit" + UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, String> env = new HashMap<>();
  private final List<String> compose;
  private final List<String> options = new ArrayList<>();
  private final Class<?> test;

  /** @param test the test it runs for, under whose it-logs the containers' logs are kept */
  public ComposeProject(Class<?> test) {
    this(composeCommand(), test);
  }

  private ComposeProject(List<String> compose, Class<?> test) {
    this.compose = compose;
    this.test = test;
  }

  /** A project driven by Compose v2, {@code docker compose}, as most users run it today. */
  public static ComposeProject v2(Class<?> test) {
    return new ComposeProject(List.of("docker", "compose"), test);
  }

  /** Variables the compose file reads, as in a user's shell or .env file. */
  public ComposeProject env(String variable, String value) {
    env.put(variable, value);
    return this;
  }

  /** Options before the subcommand, such as {@code --env-file}. */
  public ComposeProject option(String... option) {
    options.addAll(List.of(option));
    return this;
  }

  public String name() {
    return name;
  }

  /** Runs a compose subcommand, failing with its output when it fails. */
  public String run(String... arguments) {
    Docker.Outcome outcome = execute(arguments);
    if (outcome.exitCode() != 0) {
      throw new AssertionError("compose " + String.join(" ", arguments) + " exited with " + outcome.exitCode() + ":\n"
        + outcome.output());
    }
    return outcome.output();
  }

  /** Runs a compose subcommand and returns its exit code and output, whatever they are. */
  public Docker.Outcome execute(String... arguments) {
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("-p", name));
    command.addAll(options);
    command.addAll(List.of(arguments));
    return Docker.execute(command, env, COMMAND_TIMEOUT);
  }

  /**
   * A compose subcommand as one shell command with this project's variables, for a pipeline between two projects
   * such as the one that carries certificates from one host to another.
   */
  public String shellCommand(String... arguments) {
    List<String> words = new ArrayList<>(List.of("env"));
    env.forEach((variable, value) -> words.add(variable + "=" + value));
    words.addAll(compose);
    words.addAll(List.of("-p", name));
    words.addAll(options);
    words.addAll(List.of(arguments));
    return words.stream().map(word -> "'" + word.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
  }

  /** The ids of a service's containers, one per replica. */
  public List<String> containers(String service) {
    return run("ps", "-q", service).lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  /** {@code compose down} with {@code options}, failing with its output when it fails; the logs kept first. */
  public String down(String... options) {
    keepLogs();
    List<String> arguments = new ArrayList<>(List.of("down"));
    arguments.addAll(List.of(options));
    return run(arguments.toArray(String[]::new));
  }

  @Override
  public void close() {
    try {
      keepLogs();
    } finally {
      execute("down", "--volumes", "--remove-orphans", "--timeout", "20");
    }
  }

  /** Appends what the project's containers printed to its file under the test's it-logs. */
  private void keepLogs() {
    Path kept = ItLogs.directory(test).resolve(name + ".log");
    try {
      Files.writeString(kept, execute("logs", "--no-color", "--timestamps").output(), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep the logs of compose project " + name + " in " + kept, e);
    }
  }

  private static List<String> composeCommand() {
    String chosen = System.getenv("BERTH_COMPOSE");
    if (chosen != null && !chosen.isBlank()) {
      return List.of(chosen.strip().split("\\s+"));
    }
    boolean v1Installed = Files.isExecutable(Path.of("/usr/bin/docker-compose"))
      || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
    return v1Installed ? List.of("docker-compose") : List.of("docker", "compose");
  }
}
