package dev.berth.testing;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * BERTH_COMPOSE picks one explicitly. {@link #close()} brings it down whatever happened.
 */
public final class ComposeProject implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

  private final String name = "berthit" + UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, String> env = new HashMap<>();
  private final List<String> compose;
  private final List<String> options = new ArrayList<>();

  public ComposeProject() {
    this(composeCommand());
  }

  private ComposeProject(List<String> compose) {
    this.compose = compose;
  }

  /** A project driven by Compose v2, {@code docker compose}, as most users run it today. */
  public static ComposeProject v2() {
    return new ComposeProject(List.of("docker", "compose"));
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

  @Override
  public void close() {
    execute("down", "--volumes", "--remove-orphans", "--timeout", "20");
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
