package dev.berth.advertise;

import dev.berth.config.AdvertiseMode;
import dev.berth.config.ClusterConfig;
import dev.berth.config.Subnet;
import dev.berth.config.HostPort;

/**
 * Where peers reach this node: the host with the Hazelcast and event-bus ports, and why they were chosen (for the
 * start-up line). {@code localHost} is the address the node names itself by on its own network: its interface, or
 * the first non-loopback IPv4 address when it binds every interface, as Vert.x names its event bus. In
 * {@link AdvertiseMode#NONE} mode the node advertises what it binds, and an event-bus port of 0 means the one the bus
 * picks; in every other mode {@code host} and the ports are public addresses that Hazelcast and Vert.x advertise.
 */
public record Advertisement(AdvertiseMode mode, String localHost, String host, int hazelcastPort, int eventBusPort,
                            String reason) {

  public static Advertisement bound(ClusterConfig cluster, String reason) {
    String local = localHost(cluster);
    return new Advertisement(AdvertiseMode.NONE, local, local, cluster.hazelcastPort(), cluster.eventBusPort(), reason);
  }

  public static Advertisement published(ClusterConfig cluster, AdvertiseMode mode, String host, int hazelcastPort,
                                        int eventBusPort, String reason) {
    return new Advertisement(mode, localHost(cluster), host, hazelcastPort, eventBusPort, reason);
  }

  /** Whether peers are told an address other than the bound one. */
  public boolean isPublic() {
    return mode != AdvertiseMode.NONE;
  }

  public String hazelcastAddress() {
    return HostPort.format(host, hazelcastPort);
  }

  Advertisement withReason(String newReason) {
    return new Advertisement(mode, localHost, host, hazelcastPort, eventBusPort, newReason);
  }

  private static String localHost(ClusterConfig cluster) {
    if (!cluster.bindsAnyInterface()) {
      return cluster.host();
    }
    Subnet subnet = cluster.advertise().subnet();
    return (subnet == null ? LocalAddress.firstNonLoopback() : LocalAddress.in(subnet)).orElse("127.0.0.1");
  }
}
