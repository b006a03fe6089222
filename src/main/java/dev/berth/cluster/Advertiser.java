package dev.berth.cluster;

import dev.berth.config.AdvertiseConfig;
import dev.berth.config.ClusterConfig;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Decides what a node advertises, before Vert.x starts. In docker mode it asks this host's Docker daemon which host
 * ports were published for the container's fixed Hazelcast and event-bus ports, and advertises
 * {@code HOST_IP:published-port} for both: what lets a cluster span Docker hosts with plain {@code -p}.
 */
public final class Advertiser {

  private Advertiser() {
  }

  /**
   * @param container this process's container, when it runs in one
   * @param env       the environment, for {@code DOCKER_HOST} and friends
   * @param started   an inspection started earlier, used when it is of {@code container}; may be null
   * @throws AdvertiseException when the mode cannot be honoured; the message says what to change
   */
  public static Advertisement resolve(ClusterConfig cluster, Optional<ContainerIdentity> container,
                                      Map<String, String> env, DockerInspection started) throws AdvertiseException {
    AdvertiseConfig advertise = cluster.advertise();
    switch (advertise.mode()) {
      case NONE:
        return Advertisement.bound("none: advertising the bound addresses");
      case STATIC:
        return new Advertisement(AdvertiseMode.STATIC, advertise.hostIp(), advertise.hazelcastPort(),
          advertise.eventBusPort(), "static: as configured");
      case DOCKER:
        if (container.isEmpty()) {
          throw new AdvertiseException("BERTH_ADVERTISE=docker, but this process does not run in a Docker container"
            + " (no id in " + ContainerLocator.MOUNTINFO + " or " + ContainerLocator.CGROUP + ", no /.dockerenv): set"
            + " BERTH_CONTAINER_ID, or BERTH_ADVERTISE=none");
        }
        return lookUp(cluster, inspection(container.get(), env, started), true).orElseThrow();
      default:
        if (container.isEmpty()) {
          return Advertisement.bound("auto: not in a container, advertising the bound addresses");
        }
        try {
          return lookUp(cluster, inspection(container.get(), env, started), false)
            .orElseGet(() -> Advertisement.bound("auto: container " + container.get().shortId()
              + " publishes neither port, advertising the bound addresses"));
        } catch (DockerUnavailableException e) {
          return Advertisement.bound("auto: " + e.getMessage() + "; advertising the bound addresses");
        }
    }
  }

  private static DockerInspection inspection(ContainerIdentity container, Map<String, String> env,
                                             DockerInspection started) {
    return started != null && started.container().equals(container) ? started : DockerInspection.start(container, env);
  }

  /**
   * @param strict in docker mode every failure is fatal; in auto mode a daemon that cannot be asked and a container
   *               that publishes neither port mean "not a published node" (empty, or {@link DockerUnavailableException})
   */
  private static Optional<Advertisement> lookUp(ClusterConfig cluster, DockerInspection inspection, boolean strict)
    throws AdvertiseException {
    String name = inspection.container().shortId();
    try (inspection) {
      ContainerDescription inspected = available(inspection::await, strict);
      PublishedPort hazelcast = published(inspected, cluster.hazelcastPort(), name);
      PublishedPort eventBus = published(inspected, cluster.eventBusPort(), name);
      for (int attempt = 2; (hazelcast == null || eventBus == null) && attempt <= DockerApi.ATTEMPTS; attempt++) {
        // A binding can show up a moment after the container started.
        LockSupport.parkNanos(DockerApi.RETRY_DELAY.toNanos());
        inspected = available(inspection::again, strict);
        hazelcast = published(inspected, cluster.hazelcastPort(), name);
        eventBus = published(inspected, cluster.eventBusPort(), name);
      }
      if (hazelcast == null && eventBus == null && !strict) {
        return Optional.empty();
      }
      checkPublished(cluster, name, inspected, hazelcast, eventBus);
      HostAddress host = HostAddress.choose(hazelcast, eventBus, cluster.advertise().hostIp(), inspected, name);
      int hazelcastPort = hazelcast.hostPortFor(host.ip());
      int eventBusPort = eventBus.hostPortFor(host.ip());
      String reason = "docker: container " + name + " from " + inspection.container().source() + ", "
        + hazelcast.containerPort() + "/tcp→" + hazelcastPort + ", " + eventBus.containerPort() + "/tcp→" + eventBusPort
        + ", " + host.reason() + ", asked " + inspection.endpoint() + " in " + inspection.firstAnswerMs() + " ms";
      return Optional.of(new Advertisement(AdvertiseMode.DOCKER, host.ip(), hazelcastPort, eventBusPort, reason));
    }
  }

  private static PublishedPort published(ContainerDescription inspected, int containerPort, String name)
    throws AdvertiseException {
    if (containerPort == 0) {
      return null;
    }
    return PublishedPort.select(inspected.tcpBindings(containerPort), containerPort, name).orElse(null);
  }

  private static void checkPublished(ClusterConfig cluster, String name, ContainerDescription inspected,
                                     PublishedPort hazelcast, PublishedPort eventBus) throws AdvertiseException {
    if (inspected.usesHostNetwork()) {
      throw new AdvertiseException("container " + name + " uses the host's network, so Docker publishes nothing:"
        + " set BERTH_ADVERTISE=none, the bound addresses are the host's");
    }
    if (cluster.eventBusPort() == 0) {
      throw new AdvertiseException("cluster.eventBusPort is 0 (any free port), which Docker cannot publish: set"
        + " BERTH_EVENTBUS_PORT to a fixed port and publish it");
    }
    int missing = hazelcast == null ? cluster.hazelcastPort() : eventBus == null ? cluster.eventBusPort() : 0;
    if (missing != 0) {
      throw new AdvertiseException("port " + missing + "/tcp of container " + name + " is not published: run with -p "
        + missing + " or set BERTH_ADVERTISE=none");
    }
  }

  private interface DockerCall {
    ContainerDescription call() throws AdvertiseException;
  }

  /** In auto mode, a Docker API that cannot be asked means the node is not published, not that it cannot start. */
  private static ContainerDescription available(DockerCall call, boolean strict) throws AdvertiseException {
    try {
      return call.call();
    } catch (AdvertiseException e) {
      throw strict ? e : new DockerUnavailableException(e.getMessage());
    }
  }

  /** In auto mode: the Docker API cannot be asked, so the node is treated as not published. */
  private static final class DockerUnavailableException extends AdvertiseException {
    DockerUnavailableException(String message) {
      super(message);
    }
  }
}
