package dev.berth.docker;

import dev.berth.config.AdvertiseConfig;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The address other hosts use to reach this container's published ports: the binding's own address when the ports
 * were published on one ({@code -p 10.0.0.5::5701}), else {@code BERTH_HOST_IP} (or what the Docker API says it means). Never a wildcard, loopback or the
 * container's private address, which no other host can reach.
 */
record HostAddress(String ip, String reason) {

  static HostAddress choose(PublishedPort hazelcast, PublishedPort eventBus, String configured,
                            ContainerDescription container, String containerName, DockerInspection inspection)
    throws DockerException {
    Set<String> bound = new TreeSet<>();
    for (PublishedPort port : new PublishedPort[] {hazelcast, eventBus}) {
      if (port.hostIp() != null) {
        bound.add(port.hostIp());
      }
    }
    if (bound.size() > 1) {
      throw new DockerException("ports " + hazelcast.containerPort() + "/tcp and " + eventBus.containerPort()
        + "/tcp of container " + containerName + " are published on different host addresses " + bound
        + ": publish both on the address peers use");
    }
    HostAddress chosen;
    if (bound.size() == 1) {
      chosen = new HostAddress(bound.iterator().next(), "host IP from the -p binding");
    } else if (configured == null) {
      throw new DockerException("ports " + hazelcast.containerPort() + "/tcp and " + eventBus.containerPort()
        + "/tcp of container " + containerName + " are published on every host address, which does not say which one"
        + " peers should use: set BERTH_HOST_IP to this host's address (or publish with -p <host-ip>::"
        + hazelcast.containerPort() + ")");
    } else if (configured.equals(AdvertiseConfig.BRIDGE_GATEWAY)) {
      chosen = bridgeGateway(container, containerName);
    } else if (configured.equals(AdvertiseConfig.SWARM_NODE)) {
      chosen = new HostAddress(inspection.swarmNodeAddress(), "host IP " + AdvertiseConfig.SWARM_NODE
        + ", this host's address in its Swarm");
    } else {
      chosen = new HostAddress(configured, "host IP from BERTH_HOST_IP");
    }
    chosen.check(container, containerName);
    return chosen;
  }

  /** The host's own address on the container's network: every container of this host reaches it, no other host. */
  private static HostAddress bridgeGateway(ContainerDescription container, String containerName)
    throws DockerException {
    for (Map.Entry<String, ContainerDescription.Network> network : container.networks().entrySet()) {
      String gateway = network.getValue().gateway();
      if (gateway != null && !gateway.isEmpty()) {
        return new HostAddress(gateway, "host IP " + AdvertiseConfig.BRIDGE_GATEWAY + " of network " + network.getKey()
          + ", reachable from this host's containers only");
      }
    }
    throw new DockerException("BERTH_HOST_IP=" + AdvertiseConfig.BRIDGE_GATEWAY + " but container " + containerName
      + " is on no network with a gateway: set BERTH_HOST_IP to this host's address");
  }

  private void check(ContainerDescription container, String containerName) throws DockerException {
    if (!NetUtil.isValidIpV4Address(ip) && !NetUtil.isValidIpV6Address(ip)) {
      throw new DockerException("BERTH_HOST_IP must be an IP address, was \"" + ip + "\"");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new DockerException("BERTH_HOST_IP must be an IP address, was \"" + ip + "\"");
    }
    if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
      throw new DockerException("will not advertise " + ip + " (" + reason + "): no peer can reach a wildcard or"
        + " loopback address; set BERTH_HOST_IP to this host's address");
    }
    for (Map.Entry<String, ContainerDescription.Network> network : container.networks().entrySet()) {
      if (ip.equals(network.getValue().ipAddress())) {
        throw new DockerException("will not advertise " + ip + " (" + reason + "): it is container " + containerName
          + "'s own address on network " + network.getKey() + ", which other hosts cannot reach; use the host's address");
      }
    }
  }
}
