package dev.berth.docker;

import dev.berth.config.HostPort;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The host port Docker published for one of the container's TCP ports. Published on one host address
 * ({@code -p 10.0.0.5::5701}), {@code hostIp} is that address and both ports are equal. Published on every address
 * ({@code -p 5701}), {@code hostIp} is null and Docker lists an IPv4 ({@code 0.0.0.0}) and an IPv6 ({@code ::})
 * binding: usually on the same host port, but not when that port was taken on one family only, for dockerd then moves
 * only that binding to the next port. So the port peers use depends on the family of the address they connect to.
 */
public record PublishedPort(int containerPort, String hostIp, int ipv4HostPort, int ipv6HostPort) {

  /** The host port a peer connecting to {@code ip} reaches: the binding of that address's family. */
  public int hostPortFor(String ip) {
    return NetUtil.isValidIpV6Address(ip) ? ipv6HostPort : ipv4HostPort;
  }

  /**
   * Picks the one binding of a TCP port from its bindings in the container's {@code NetworkSettings.Ports}: the
   * {@code 0.0.0.0} and {@code ::} twins Docker lists for one {@code -p} count as one binding, and bindings to
   * loopback are ignored since no peer can reach them.
   *
   * @return empty when the port is not published at all
   * @throws DockerException when it is published only on loopback or more than once
   */
  static Optional<PublishedPort> select(List<ContainerDescription.Binding> candidates, int containerPort,
                                        String container) throws DockerException {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    List<String> loopback = new ArrayList<>();
    TreeSet<Integer> ipv4Wildcard = new TreeSet<>();
    TreeSet<Integer> ipv6Wildcard = new TreeSet<>();
    List<PublishedPort> specific = new ArrayList<>();
    for (ContainerDescription.Binding binding : candidates) {
      int hostPort = binding.hostPort();
      String hostIp = binding.hostIp();
      if (isIpv6Wildcard(hostIp)) {
        ipv6Wildcard.add(hostPort);
      } else if (isIpv4Wildcard(hostIp)) {
        ipv4Wildcard.add(hostPort);
      } else if (isLoopback(hostIp)) {
        loopback.add(hostIp + ":" + hostPort);
      } else {
        specific.add(new PublishedPort(containerPort, hostIp, hostPort, hostPort));
      }
    }
    boolean wildcard = !ipv4Wildcard.isEmpty() || !ipv6Wildcard.isEmpty();
    if (!wildcard && specific.isEmpty()) {
      throw new DockerException("port " + containerPort + "/tcp of container " + container
        + " is published only on loopback (" + String.join(", ", loopback) + "), which no peer can reach: publish it"
        + " with -p " + containerPort + " or -p <host-ip>::" + containerPort);
    }
    if (specific.size() + (wildcard ? 1 : 0) > 1 || ipv4Wildcard.size() > 1 || ipv6Wildcard.size() > 1) {
      TreeSet<String> published = new TreeSet<>();
      ipv4Wildcard.forEach(port -> published.add("0.0.0.0:" + port));
      ipv6Wildcard.forEach(port -> published.add("[::]:" + port));
      specific.forEach(port -> published.add(HostPort.format(port.hostIp, port.ipv4HostPort)));
      throw new DockerException("port " + containerPort + "/tcp of container " + container
        + " is published more than once (" + String.join(", ", published) + "): publish it once, so that berth knows"
        + " which one to advertise");
    }
    if (!wildcard) {
      return Optional.of(specific.get(0));
    }
    // A daemon with IPv6 off lists only the IPv4 binding, and the other way round.
    int ipv4 = ipv4Wildcard.isEmpty() ? ipv6Wildcard.first() : ipv4Wildcard.first();
    int ipv6 = ipv6Wildcard.isEmpty() ? ipv4 : ipv6Wildcard.first();
    return Optional.of(new PublishedPort(containerPort, null, ipv4, ipv6));
  }

  /** Older daemons leave HostIp empty for a binding on every IPv4 address. */
  private static boolean isIpv4Wildcard(String hostIp) {
    return hostIp == null || hostIp.isEmpty() || hostIp.equals("0.0.0.0");
  }

  private static boolean isIpv6Wildcard(String hostIp) {
    return "::".equals(hostIp);
  }

  private static boolean isLoopback(String hostIp) {
    try {
      return InetAddress.getByName(hostIp).isLoopbackAddress();
    } catch (UnknownHostException notAnAddress) {
      return false;
    }
  }
}
