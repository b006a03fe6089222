package dev.berth.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the id of the container this process runs in, trying in order: the configured id, the {@code /etc/hostname}
 * mount in {@code /proc/self/mountinfo} (works with every cgroup layout), any 64-hex segment of
 * {@code /proc/self/cgroup} (cgroup v1, whatever the parent), and {@code HOSTNAME} (Docker's short id by default).
 */
public final class ContainerLocator {

  public static final String MOUNTINFO = "/proc/self/mountinfo";
  public static final String CGROUP = "/proc/self/cgroup";
  private static final Pattern MOUNTED_HOSTNAME = Pattern.compile("/containers/([0-9a-f]{64})/hostname");
  private static final Pattern LONG_ID = Pattern.compile("(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])");

  private final Path mountinfo;
  private final Path cgroup;
  private final Path dockerenv;

  ContainerLocator(Path mountinfo, Path cgroup, Path dockerenv) {
    this.mountinfo = mountinfo;
    this.cgroup = cgroup;
    this.dockerenv = dockerenv;
  }

  public static ContainerLocator forThisProcess() {
    return new ContainerLocator(Path.of(MOUNTINFO), Path.of(CGROUP), Path.of("/.dockerenv"));
  }

  /**
   * The container id and its source, or empty when nothing says this process runs in a container: {@code HOSTNAME}
   * alone counts only when Docker's {@code /.dockerenv} marker is present too.
   *
   * @param configured the id from the config or {@code BERTH_CONTAINER_ID}, or null
   */
  public Optional<ContainerIdentity> locate(String configured, Map<String, String> env) {
    if (configured != null) {
      return Optional.of(new ContainerIdentity(configured, "BERTH_CONTAINER_ID"));
    }
    Optional<String> fromMountinfo = read(mountinfo).flatMap(ContainerLocator::idFromMountinfo);
    if (fromMountinfo.isPresent()) {
      return Optional.of(new ContainerIdentity(fromMountinfo.get(), MOUNTINFO));
    }
    Optional<String> fromCgroup = read(cgroup).flatMap(ContainerLocator::idFromCgroup);
    if (fromCgroup.isPresent()) {
      return Optional.of(new ContainerIdentity(fromCgroup.get(), CGROUP));
    }
    String hostname = env.get("HOSTNAME");
    if (hostname != null && !hostname.isBlank() && Files.exists(dockerenv)) {
      return Optional.of(new ContainerIdentity(hostname.trim(), "HOSTNAME"));
    }
    return Optional.empty();
  }

  /** The id in the source of the {@code /etc/hostname} bind mount: {@code .../containers/<id>/hostname}. */
  static Optional<String> idFromMountinfo(String mountinfo) {
    Matcher matcher = MOUNTED_HOSTNAME.matcher(mountinfo);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** Any 64-hex path segment, whether the parent is {@code /docker/}, a custom cgroup parent or a systemd scope. */
  static Optional<String> idFromCgroup(String cgroup) {
    for (String line : cgroup.split("\n")) {
      int pathStart = line.indexOf(':', line.indexOf(':') + 1);
      Matcher matcher = LONG_ID.matcher(pathStart < 0 ? line : line.substring(pathStart + 1));
      if (matcher.find()) {
        return Optional.of(matcher.group(1));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException | SecurityException unreadable) {
      return Optional.empty();
    }
  }
}
