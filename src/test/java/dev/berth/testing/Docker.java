package dev.berth.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The real Docker daemon the tests drive: a docker-java client, the CLI for builds, and this host's address. */
public final class Docker {

  /** Every container and network a test makes carries this label, so that leftovers can be found and removed. */
  public static final String LABEL = "dev.berth.it";

  private static DockerClient client;

  private Docker() {
  }

  public static synchronized DockerClient client() {
    if (client == null) {
      DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
      client = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofSeconds(60))
        .build());
    }
    return client;
  }

  /**
   * The host port Docker published for a container port on IPv4: what 127.0.0.1 and this host's IPv4 addresses reach.
   * Not simply the first binding, since the IPv6 twin of a {@code -p} can be on another host port.
   */
  public static int publishedPort(InspectContainerResponse container, int containerPort) {
    return publishedPort(container, containerPort, false);
  }

  /** The host port of the IPv6 ({@code ::}) twin, which need not be the IPv4 one. */
  public static int publishedIpv6Port(InspectContainerResponse container, int containerPort) {
    return publishedPort(container, containerPort, true);
  }

  private static int publishedPort(InspectContainerResponse container, int containerPort, boolean ipv6) {
    Ports.Binding[] bindings = container.getNetworkSettings().getPorts().getBindings()
      .get(ExposedPort.tcp(containerPort));
    return Arrays.stream(bindings == null ? new Ports.Binding[0] : bindings)
      .filter(binding -> binding.getHostIp().contains(":") == ipv6)
      .mapToInt(binding -> Integer.parseInt(binding.getHostPortSpec()))
      .findFirst()
      .orElseThrow(() -> new AssertionError("port " + containerPort + " of " + shortId(container.getId())
        + " is not published on " + (ipv6 ? "IPv6 (is IPv6 off?)" : "IPv4")));
  }

  /** The 12-character id {@code docker ps} shows, which is also a container's default hostname and berth node name. */
  public static String shortId(String containerId) {
    return containerId.substring(0, 12);
  }

  /** This host's address on its default route: what containers and other hosts use to reach published ports. */
  public static String hostIp() {
    try (DatagramSocket socket = new DatagramSocket()) {
      // Connecting a UDP socket only asks the routing table for the source address; nothing is sent.
      socket.connect(InetAddress.getByName("192.0.2.255"), 9);
      return socket.getLocalAddress().getHostAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command to completion, failing with its output when it fails or outlives the timeout. */
  public static String run(List<String> command, Duration timeout) {
    Outcome outcome = execute(command, Map.of(), timeout);
    if (outcome.exitCode() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited with " + outcome.exitCode() + ":\n"
        + outcome.output());
    }
    return outcome.output();
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  public record Outcome(int exitCode, String output) {
  }

  /** Runs a command with extra environment variables to completion, failing only when it outlives the timeout. */
  public static Outcome execute(List<String> command, Map<String, String> env, Duration timeout) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        String printed = new String(output.completeOnTimeout(new byte[0], 5, TimeUnit.SECONDS).join(),
          StandardCharsets.UTF_8);
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
          + "; the last lines it printed:\n" + lastLines(printed, 12));
      }
      return new Outcome(process.exitValue(), new String(output.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The last lines of a text, a line repeated in a row (a progress report) once. */
  private static String lastLines(String text, int count) {
    List<String> lines = new ArrayList<>();
    text.lines().filter(line -> lines.isEmpty() || !line.equals(lines.get(lines.size() - 1))).forEach(lines::add);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }

  private static byte[] readAll(Process process) {
    try {
      return process.getInputStream().readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
