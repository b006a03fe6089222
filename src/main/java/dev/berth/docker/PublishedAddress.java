package dev.berth.docker;

import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * What this host's Docker daemon published for the container's fixed Hazelcast and event-bus ports: the host address
 * peers use and the host port of each, and how they were found (for the start-up line). Advertising
 * {@code HOST_IP:published-port} for both is what lets a cluster span Docker hosts with plain {@code -p}.
 */
public record PublishedAddress(String hostIp, int hazelcastPort, int eventBusPort, String reason) {

  /**
   * Reads the published ports from the inspection, asking again briefly when a binding is missing, since one can show
   * up a moment after the container started.
   *
   * @param configuredHostIp {@code BERTH_HOST_IP}, or null
   * @param strict           whether a container that publishes neither port is an error rather than a node that is
   *                         not published (empty)
   * @throws DockerUnavailableException when the Docker API cannot be asked
   * @throws DockerException when the ports are published in a way no peer could use; the message says what to change
   */
  public static Optional<PublishedAddress> lookUp(DockerInspection inspection, int hazelcastContainerPort,
                                                  int eventBusContainerPort, String configuredHostIp,
                                                  boolean strict)
    throws DockerException {
    String name = inspection.container().shortId();
    try (inspection) {
      ContainerDescription inspected = inspection.await();
      PublishedPort hazelcast = published(inspected, hazelcastContainerPort, name);
      PublishedPort eventBus = published(inspected, eventBusContainerPort, name);
      for (int attempt = 2; (hazelcast == null || eventBus == null) && attempt <= DockerApi.ATTEMPTS; attempt++) {
        LockSupport.parkNanos(DockerApi.RETRY_DELAY.toNanos());
        inspected = inspection.again();
        hazelcast = published(inspected, hazelcastContainerPort, name);
        eventBus = published(inspected, eventBusContainerPort, name);
      }
      if (hazelcast == null && eventBus == null && !strict) {
        return Optional.empty();
      }
      checkPublished(inspected, name, hazelcastContainerPort, eventBusContainerPort, hazelcast, eventBus);
      HostAddress host = HostAddress.choose(hazelcast, eventBus, configuredHostIp, inspected, name, inspection);
      int hazelcastPort = hazelcast.hostPortFor(host.ip());
      int eventBusPort = eventBus.hostPortFor(host.ip());
      String reason = "container " + name + " from " + inspection.container().source() + ", "
        + hazelcast.containerPort() + "/tcp→" + hazelcastPort + ", " + eventBus.containerPort() + "/tcp→" + eventBusPort
        + ", " + host.reason() + ", asked " + inspection.endpoint() + " in " + inspection.firstAnswerMs() + " ms";
      return Optional.of(new PublishedAddress(host.ip(), hazelcastPort, eventBusPort, reason));
    }
  }

  private static void checkPublished(ContainerDescription inspected, String name, int hazelcastContainerPort,
                                     int eventBusContainerPort, PublishedPort hazelcast, PublishedPort eventBus)
    throws DockerException {
    if (inspected.usesHostNetwork()) {
      throw new DockerException("container " + name + " uses the host's network, so Docker publishes nothing:"
        + " set BERTH_ADVERTISE=none, the bound addresses are the host's");
    }
    if (eventBusContainerPort == 0) {
      throw new DockerException("cluster.eventBusPort is 0 (any free port), which Docker cannot publish: set"
        + " BERTH_EVENTBUS_PORT to a fixed port and publish it");
    }
    int missing = hazelcast == null ? hazelcastContainerPort : eventBus == null ? eventBusContainerPort : 0;
    if (missing != 0) {
      throw new DockerException("port " + missing + "/tcp of container " + name + " is not published: run with -p "
        + missing + " or set BERTH_ADVERTISE=none");
    }
  }

  private static PublishedPort published(ContainerDescription inspected, int containerPort, String name)
    throws DockerException {
    if (containerPort == 0) {
      return null;
    }
    return PublishedPort.select(inspected.tcpBindings(containerPort), containerPort, name).orElse(null);
  }
}
