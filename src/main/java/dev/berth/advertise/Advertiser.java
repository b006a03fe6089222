package dev.berth.advertise;

import dev.berth.config.AdvertiseConfig;
import dev.berth.config.AdvertiseMode;
import dev.berth.config.ClusterConfig;
import dev.berth.docker.ContainerIdentity;
import dev.berth.docker.ContainerLocator;
import dev.berth.docker.DockerException;
import dev.berth.docker.DockerInspection;
import dev.berth.docker.DockerUnavailableException;
import dev.berth.docker.PublishedAddress;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides what a node advertises, before Vert.x starts, by its {@link AdvertiseMode}. {@link #start} locates this
 * process's container once and, when the mode may need them, starts asking this host's Docker daemon for its
 * published ports; {@link #advertisement()} waits for that answer. On a cold JVM the lookup is mostly class loading,
 * so it overlaps the rest of the node's start-up instead of adding to it.
 */
public final class Advertiser {

  private final ClusterConfig cluster;
  private final Optional<ContainerIdentity> container;
  private final DockerInspection inspection;

  private Advertiser(ClusterConfig cluster, Optional<ContainerIdentity> container, DockerInspection inspection) {
    this.cluster = cluster;
    this.container = container;
    this.inspection = inspection;
  }

  /** @param env the environment, for {@code DOCKER_HOST} and friends and Docker's {@code HOSTNAME} */
  public static Advertiser start(ClusterConfig cluster, Map<String, String> env) {
    AdvertiseMode mode = cluster.advertise().mode();
    Optional<ContainerIdentity> container =
      ContainerLocator.forThisProcess().locate(cluster.advertise().containerId(), env);
    boolean asksDocker = mode == AdvertiseMode.DOCKER || mode == AdvertiseMode.AUTO;
    DockerInspection inspection = asksDocker ? container.map(id -> DockerInspection.start(id, env)).orElse(null) : null;
    return new Advertiser(cluster, container, inspection);
  }

  /** The container this process runs in, when it runs in one. */
  public Optional<ContainerIdentity> container() {
    return container;
  }

  /**
   * @throws AdvertiseException when the mode cannot be honoured; the message says what to change
   */
  public Advertisement advertisement() throws AdvertiseException {
    long waitStart = System.nanoTime();
    Advertisement decided = decide();
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart);
    return inspection == null
      ? decided
      : decided.withReason(decided.reason() + ", start-up waited " + waitedMs + " ms for it");
  }

  private Advertisement decide() throws AdvertiseException {
    AdvertiseConfig advertise = cluster.advertise();
    switch (advertise.mode()) {
      case NONE:
        if (advertise.subnet() != null && cluster.bindsAnyInterface() && LocalAddress.in(advertise.subnet()).isEmpty()) {
          throw new AdvertiseException("no interface of this node has an address in " + advertise.subnet()
            + " (cluster.advertise.subnet, BERTH_ADVERTISE_SUBNET): give the network its peers reach it on");
        }
        return Advertisement.bound(cluster, advertise.subnet() == null ? "none: advertising the bound addresses"
          : "none: advertising its address in " + advertise.subnet());
      case STATIC:
        return Advertisement.published(cluster, AdvertiseMode.STATIC, advertise.hostIp(), advertise.hazelcastPort(),
          advertise.eventBusPort(), "static: as configured");
      case DOCKER:
        if (inspection == null) {
          throw new AdvertiseException("BERTH_ADVERTISE=docker, but this process does not run in a Docker container"
            + " (no id in " + ContainerLocator.MOUNTINFO + " or " + ContainerLocator.CGROUP + ", no /.dockerenv): set"
            + " BERTH_CONTAINER_ID, or BERTH_ADVERTISE=none");
        }
        try {
          return published(lookUp(true).orElseThrow());
        } catch (DockerException e) {
          throw new AdvertiseException(e.getMessage());
        }
      default:
        if (inspection == null) {
          return Advertisement.bound(cluster, "auto: not in a container, advertising the bound addresses");
        }
        try {
          return lookUp(false).map(this::published).orElseGet(() -> Advertisement.bound(cluster,
            "auto: container " + inspection.container().shortId() + " publishes neither port, advertising the bound"
              + " addresses"));
        } catch (DockerUnavailableException e) {
          return Advertisement.bound(cluster, "auto: " + e.getMessage() + "; advertising the bound addresses");
        } catch (DockerException e) {
          throw new AdvertiseException(e.getMessage());
        }
    }
  }

  private Optional<PublishedAddress> lookUp(boolean strict) throws DockerException {
    return PublishedAddress.lookUp(inspection, cluster.hazelcastPort(), cluster.eventBusPort(),
      cluster.advertise().hostIp(), strict);
  }

  private Advertisement published(PublishedAddress address) {
    return Advertisement.published(cluster, AdvertiseMode.DOCKER, address.hostIp(), address.hazelcastPort(),
      address.eventBusPort(), "docker: " + address.reason());
  }
}
