package dev.berth.cluster;

/**
 * Where peers reach this node: the public host with the public Hazelcast and event-bus ports, and why they were
 * chosen (for the start-up line). A {@code null} host means "advertise what is bound", as plain Vert.x does.
 */
public record Advertisement(AdvertiseMode mode, String host, int hazelcastPort, int eventBusPort, String reason) {

  public static Advertisement bound(String reason) {
    return new Advertisement(AdvertiseMode.NONE, null, 0, 0, reason);
  }

  public boolean isPublic() {
    return host != null;
  }

  public String hazelcastAddress() {
    return HostPort.format(host, hazelcastPort);
  }

  public String eventBusAddress() {
    return HostPort.format(host, eventBusPort);
  }
}
