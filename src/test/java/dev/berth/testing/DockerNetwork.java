package dev.berth.testing;

import com.github.dockerjava.api.exception.NotFoundException;

import java.util.Map;
import java.util.UUID;

/** A user-defined bridge network; containers on different ones cannot reach each other's private addresses. */
public final class DockerNetwork implements AutoCloseable {

  private final String name;

  private DockerNetwork(String name) {
    this.name = name;
  }

  public static DockerNetwork create(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    Docker.client().createNetworkCmd().withName(name).withDriver("bridge").withLabels(Map.of(Docker.LABEL, "true")).exec();
    return new DockerNetwork(name);
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    try {
      Docker.client().removeNetworkCmd(name).exec();
    } catch (NotFoundException gone) {
      // Already removed.
    }
  }
}
