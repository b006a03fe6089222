package dev.berth.advertise;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** This machine's own addresses, for a node bound to every interface with nothing else to advertise. */
final class LocalAddress {

  private LocalAddress() {
  }

  /** The first IPv4 address of an interface that is up and not loopback, as Vert.x chooses one for the event bus. */
  static Optional<String> firstNonLoopback() {
    try {
      for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!networkInterface.isUp() || networkInterface.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
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
