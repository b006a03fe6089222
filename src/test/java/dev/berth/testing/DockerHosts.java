package dev.berth.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker hosts simulated on this machine by src/test/sh/docker-hosts.sh: a network namespace each, with its own
 * dockerd and address on a shared bridge. {@link #close()} removes everything the script made.
 */
public final class DockerHosts implements AutoCloseable {

  private static final String SCRIPT = "src/test/sh/docker-hosts.sh";
  private static final Pattern HOST_LINE = Pattern.compile("host (\\S+): (\\S+) (\\S+)");

  private final List<String> names;
  private final List<Host> hosts = new ArrayList<>();

  /** One simulated host: its name, its address on the shared network and its daemon's endpoint. */
  public record Host(String name, String ip, String dockerHost) {

    public String socketPath() {
      return dockerHost.substring("unix://".length());
    }

    public DockerClient client() {
      DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost)
        .build();
      return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
        .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(30)).build());
    }

    /** What a container on this host has printed so far, both streams. */
    public String logs(String container) {
      return Docker.execute(List.of("docker", "-H", dockerHost, "logs", container), Map.of(),
        Duration.ofSeconds(20)).output();
    }

    /** Writes the log of every container this host has, running or not, into the directory. */
    private void saveLogs(Path directory) {
      String containers = Docker.execute(List.of("docker", "-H", dockerHost, "ps", "-a", "--format", "{{.Names}}"),
        Map.of(), Duration.ofSeconds(20)).output();
      for (String container : containers.lines().filter(line -> !line.isBlank()).toList()) {
        try {
          Files.writeString(directory.resolve(name + "-" + container + ".log"), logs(container));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    /** A compose project of the repository's docker-compose.yml on this host, mounting this host's socket. */
    public ComposeProject compose(Class<?> test) {
      return new ComposeProject(test).env("DOCKER_HOST", dockerHost).env("BERTH_DOCKER_SOCKET", socketPath());
    }
  }

  private DockerHosts(List<String> names) {
    this.names = names;
  }

  /** Starts the hosts and loads the images into each daemon. */
  public static DockerHosts start(List<String> images, String... names) {
    DockerHosts made = new DockerHosts(List.of(names));
    List<String> command = new ArrayList<>(List.of(SCRIPT, "up", String.join(",", images)));
    command.addAll(made.names);
    Matcher line = HOST_LINE.matcher(Docker.run(command, Duration.ofMinutes(3)));
    while (line.find()) {
      made.hosts.add(new Host(line.group(1), line.group(2), line.group(3)));
    }
    return made;
  }

  /** Unplugs a host from the network, as a failed switch or a cable would: a partition between it and the rest. */
  public void cut(String name) {
    Docker.run(List.of(SCRIPT, "cut", name), Duration.ofSeconds(10));
  }

  /** Plugs the host back in. */
  public void heal(String name) {
    Docker.run(List.of(SCRIPT, "heal", name), Duration.ofSeconds(10));
  }

  /** A firewall on the host that drops every packet arriving for a port, such as udp 4789 (VXLAN). */
  public void drop(String name, String protocol, int port) {
    Docker.run(List.of(SCRIPT, "drop", name, protocol, String.valueOf(port)), Duration.ofSeconds(10));
  }

  /** Keeps what every container on every host has printed so far, named host-container.log in the directory. */
  public void saveLogs(Path directory) {
    hosts.forEach(host -> host.saveLogs(directory));
  }

  public Host host(String name) {
    return hosts.stream().filter(host -> host.name().equals(name)).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    List<String> command = new ArrayList<>(List.of(SCRIPT, "down"));
    command.addAll(names);
    Docker.run(command, Duration.ofMinutes(2));
  }
}
