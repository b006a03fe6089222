package dev.berth.testing;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A berth node run as users run it, {@code java @conf/jvm.options -jar target/berth.jar -conf ...}, with its output in
 * a file.
 */
public final class BerthProcess extends NamedProcess {

  public static final Path JAR = Path.of("target/berth.jar");
  public static final Path JVM_OPTIONS = Path.of("conf/jvm.options");
  public static final Path CLASSPATH_OPTIONS = Path.of("conf/classpath.options");

  private final int managementPort;

  private BerthProcess(String name, RunningProcess process, int managementPort) {
    super(name, process);
    this.managementPort = managementPort;
  }

  /** Starts a node; {@code env} adds to the inherited environment, and must set BERTH_MANAGEMENT_PORT. */
  public static BerthProcess start(String name, String conf, Map<String, String> env, Path logDir) {
    return start(name, List.of("-jar", JAR.toString()), conf, env, logDir);
  }

  /**
   * Starts a node with the user's own classes beside the jar, as users run a worker's handler:
   * {@code java @conf/jvm.options @conf/classpath.options -cp target/berth.jar:<classes> dev.berth.Main -conf ...}.
   */
  public static BerthProcess startWith(Path classes, String name, String conf, Map<String, String> env, Path logDir) {
    return start(name, List.of("@" + CLASSPATH_OPTIONS, "-cp", JAR + File.pathSeparator + classes, "dev.berth.Main"),
      conf, env, logDir);
  }

  private static BerthProcess start(String name, List<String> launch, String conf, Map<String, String> env,
                                    Path logDir) {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "@" + JVM_OPTIONS));
    command.addAll(launch);
    if (conf != null) {
      command.addAll(List.of("-conf", conf));
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    return new BerthProcess(name, RunningProcess.start(name, builder, logDir.resolve(name + ".log")),
      Integer.parseInt(env.getOrDefault("BERTH_MANAGEMENT_PORT", "0")));
  }

  /** Polls {@code GET /health} until it answers 200; fails with the node's output when it dies or the deadline passes. */
  public BerthProcess awaitHealthy(Duration timeout) {
    awaitWhileAlive("healthy", timeout, this::healthStatus, status -> status == 200);
    return this;
  }

  /** The status of {@code GET /health}, or -1 when nothing answers. */
  public int healthStatus() {
    return Http.get("http://127.0.0.1:" + managementPort + "/health").status();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
