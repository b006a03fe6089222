package dev.berth.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A berth node in a container of the real daemon, set up the way a user runs one: {@code -p} publishing, the Docker
 * socket mounted read-only, {@code BERTH_*} variables. Published ports are read back from inspect, as Testcontainers
 * does.
 */
public final class BerthContainer implements AutoCloseable {

  public static final String SOCKET = "/var/run/docker.sock";

  private final DockerClient docker = Docker.client();
  private final String image;
  private final List<String> command;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Ports ports = new Ports();
  private final List<ExposedPort> exposed = new ArrayList<>();
  private final List<Bind> binds = new ArrayList<>();
  private final List<String> securityOptions = new ArrayList<>();
  private String network;
  private String user;
  private String id;

  private BerthContainer(String image, List<String> command) {
    this.image = image;
    this.command = command;
  }

  /** A node from the berth image running {@code conf}, e.g. {@code conf/worker-first.json}. */
  public static BerthContainer node(String conf) {
    return new BerthContainer(BerthImage.tag(), List.of("-conf", conf));
  }

  public BerthContainer env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** {@code -p <port>}: published on a random host port, on every host address. */
  public BerthContainer publish(int... containerPorts) {
    for (int port : containerPorts) {
      ExposedPort exposedPort = ExposedPort.tcp(port);
      exposed.add(exposedPort);
      ports.bind(exposedPort, Ports.Binding.empty());
    }
    return this;
  }

  /** {@code -p <hostIp>::<port>}: published on a random host port of one host address. */
  public BerthContainer publishOn(String hostIp, int... containerPorts) {
    for (int port : containerPorts) {
      ExposedPort exposedPort = ExposedPort.tcp(port);
      exposed.add(exposedPort);
      ports.bind(exposedPort, Ports.Binding.bindIp(hostIp));
    }
    return this;
  }

  /** {@code -v /var/run/docker.sock:/var/run/docker.sock:ro}. */
  public BerthContainer withDockerSocket() {
    return bind(Bind.parse(SOCKET + ":" + SOCKET + ":ro"));
  }

  public BerthContainer bind(Bind bind) {
    binds.add(bind);
    return this;
  }

  public BerthContainer network(String name) {
    this.network = name;
    return this;
  }

  public BerthContainer user(String user) {
    this.user = user;
    return this;
  }

  /** {@code --security-opt}; a seccomp profile is given as its JSON, as Docker's API takes it. */
  public BerthContainer securityOption(String option) {
    securityOptions.add(option);
    return this;
  }

  public BerthContainer start() {
    HostConfig hostConfig = HostConfig.newHostConfig().withPortBindings(ports).withBinds(binds)
      .withSecurityOpts(securityOptions);
    if (network != null) {
      hostConfig.withNetworkMode(network);
    }
    CreateContainerCmd create = docker.createContainerCmd(image)
      .withCmd(command)
      .withEnv(env.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()).toList())
      .withExposedPorts(exposed)
      .withLabels(Map.of(Docker.LABEL, "true"))
      .withHostConfig(hostConfig);
    if (user != null) {
      create.withUser(user);
    }
    id = create.exec().getId();
    docker.startContainerCmd(id).exec();
    return this;
  }

  /** Polls Docker's health status until healthy; fails with the logs when the node exits or the deadline passes. */
  public BerthContainer awaitHealthy(Duration timeout) {
    Poll.until(shortId() + " healthy", timeout, () -> {
      InspectContainerResponse.ContainerState state = inspect().getState();
      if (!Boolean.TRUE.equals(state.getRunning())) {
        throw new AssertionError(shortId() + " exited with " + state.getExitCodeLong() + ":\n" + logs());
      }
      return state.getHealth() == null ? null : state.getHealth().getStatus();
    }, "healthy"::equals);
    return this;
  }

  /** Waits for the container to stop on its own and returns its exit code. */
  public long awaitExit(Duration timeout) {
    Poll.until(shortId() + " exited", timeout, () -> inspect().getState().getRunning(), Boolean.FALSE::equals);
    return inspect().getState().getExitCodeLong();
  }

  public void restart() {
    docker.restartContainerCmd(id).withTimeout(20).exec();
  }

  /** The host port Docker published on IPv4 for a container port. */
  public int publishedPort(int containerPort) {
    return Docker.publishedPort(inspect(), containerPort);
  }

  /** The container's own address on its network: private, reachable only from that network. */
  public String privateIp() {
    return inspect().getNetworkSettings().getNetworks().values().stream()
      .map(ContainerNetwork::getIpAddress).filter(ip -> ip != null && !ip.isEmpty()).findFirst().orElseThrow();
  }

  public InspectContainerResponse inspect() {
    return docker.inspectContainerCmd(id).exec();
  }

  public String logs() {
    StringBuilder logs = new StringBuilder();
    try {
      docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false)
        .exec(new ResultCallback.Adapter<Frame>() {
          @Override
          public void onNext(Frame frame) {
            logs.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          }
        }).awaitCompletion(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return logs.toString();
  }

  /** Runs a shell command in the container; returns its exit code. */
  public long exec(String shellCommand) {
    String execId = docker.execCreateCmd(id).withCmd("bash", "-c", shellCommand).withAttachStdout(true)
      .withAttachStderr(true).exec().getId();
    try {
      docker.execStartCmd(execId).exec(new ResultCallback.Adapter<>()).awaitCompletion(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return docker.inspectExecCmd(execId).exec().getExitCodeLong();
  }

  public String id() {
    return id;
  }

  public String shortId() {
    return id == null ? image : Docker.shortId(id);
  }

  @Override
  public void close() {
    if (id != null) {
      try {
        docker.removeContainerCmd(id).withForce(true).exec();
      } catch (NotFoundException gone) {
        // Already removed: nothing left behind.
      }
    }
  }
}
