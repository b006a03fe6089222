package dev.berth.cluster;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The host port Docker published for one of the container's TCP ports, and the host address it is bound to, or
 * null when it is bound to every address ({@code -p 5701}).
 */
public record PublishedPort(int containerPort, String hostIp, int hostPort) {

  /**
   * Picks the one TCP binding of {@code containerPort} from the container's {@code NetworkSettings.Ports}: the
   * {@code 0.0.0.0} and {@code ::} twins Docker lists for one {@code -p} count as one binding, and bindings to
   * loopback are ignored since no peer can reach them.
   *
   * @return empty when the port is not published at all
   * @throws AdvertiseException when it is published only on loopback or on several host ports
   */
  static Optional<PublishedPort> select(Map<ExposedPort, Ports.Binding[]> bindings, int containerPort, String container)
    throws AdvertiseException {
    Ports.Binding[] candidates = bindings.get(ExposedPort.tcp(containerPort));
    if (candidates == null || candidates.length == 0) {
      return Optional.empty();
    }
    List<PublishedPort> reachable = new ArrayList<>();
    List<String> loopback = new ArrayList<>();
    for (Ports.Binding binding : candidates) {
      int hostPort = Integer.parseInt(binding.getHostPortSpec());
      String hostIp = binding.getHostIp();
      if (isLoopback(hostIp)) {
        loopback.add(hostIp + ":" + hostPort);
      } else {
        PublishedPort port = new PublishedPort(containerPort, isWildcard(hostIp) ? null : hostIp, hostPort);
        if (!reachable.contains(port)) {
          reachable.add(port);
        }
      }
    }
    if (reachable.isEmpty()) {
      throw new AdvertiseException("port " + containerPort + "/tcp of container " + container
        + " is published only on loopback (" + String.join(", ", loopback) + "), which no peer can reach: publish it"
        + " with -p " + containerPort + " or -p <host-ip>::" + containerPort);
    }
    if (reachable.size() > 1) {
      TreeSet<String> published = new TreeSet<>();
      reachable.forEach(port -> published.add((port.hostIp == null ? "*" : port.hostIp) + ":" + port.hostPort));
      throw new AdvertiseException("port " + containerPort + "/tcp of container " + container
        + " is published more than once (" + String.join(", ", published) + "): publish it once, so that berth knows"
        + " which one to advertise");
    }
    return Optional.of(reachable.get(0));
  }

  static boolean isWildcard(String hostIp) {
    return hostIp == null || hostIp.isEmpty() || hostIp.equals("0.0.0.0") || hostIp.equals("::");
  }

  private static boolean isLoopback(String hostIp) {
    if (isWildcard(hostIp)) {
      return false;
    }
    try {
      return InetAddress.getByName(hostIp).isLoopbackAddress();
    } catch (UnknownHostException notAnAddress) {
      return false;
    }
  }
}
