package dev.berth;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The launcher arguments berth reads itself before handing them all to the Vert.x launcher, which would turn an
 * unreadable {@code -conf} into an empty config with only a warning.
 */
@Command(name = "berth")
final class LaunchArguments {

  @Option(names = {"-conf", "--conf"})
  private Path conf;

  @Option(names = {"-c", "-cluster", "--cluster"})
  private boolean cluster;

  @Option(names = {"-h", "-help", "--help"})
  private boolean help;

  private final String[] all;

  private LaunchArguments(String[] all) {
    this.all = all;
  }

  static LaunchArguments parse(String[] args) {
    LaunchArguments parsed = new LaunchArguments(args);
    new CommandLine(parsed).setOptionsCaseInsensitive(true).setUnmatchedArgumentsAllowed(true).parseArgs(args);
    return parsed;
  }

  /** The config file, or null when none was given. */
  Path conf() {
    return conf;
  }

  boolean helpRequested() {
    return help;
  }

  /** The arguments for the Vert.x launcher: berth always runs clustered. */
  String[] forLauncher() {
    if (cluster) {
      return all;
    }
    String[] withCluster = new String[all.length + 1];
    withCluster[0] = "-cluster";
    System.arraycopy(all, 0, withCluster, 1, all.length);
    return withCluster;
  }
}
