package dev.berth.advertise;

import dev.berth.config.Subnet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import java.util.function.Predicate;

/** This machine's own addresses, for a node bound to every interface with nothing else to advertise. */
final class LocalAddress {

  private LocalAddress() {
  }

  /** The first IPv4 address of an interface that is up and not loopback, as Vert.x chooses one for the event bus. */
  static Optional<String> firstNonLoopback() {
    return first(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress());
  }

  /** This machine's address in {@code subnet}, on an interface that is up. */
  static Optional<String> in(Subnet subnet) {
    return first(subnet::contains);
  }

  private static Optional<String> first(Predicate<InetAddress> wanted) {
    try {
      for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!networkInterface.isUp() || networkInterface.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
          if (address instanceof Inet4Address && wanted.test(address)) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
    } catch (SocketException unreadable) {
      // Without the interface list, Hazelcast's own choice stands.
    }
    return Optional.empty();
  }
}
