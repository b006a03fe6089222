package dev.berth.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * How a node joins the cluster: the interface and fixed ports it binds for Hazelcast and the event bus, the seed
 * members it contacts (TCP-IP join), how long it looks for a seed before it founds a cluster of its own, how long it
 * may take to join before it gives up, what it advertises, and what it
 * proves that it belongs with: the TLS files of a TLS cluster, or the join secret of a plain cluster that admits only
 * those who know it (both null for a plain cluster open to anyone who reaches its ports). {@code zone}, when set (on
 * every member), names what fails together, such as the Docker host: each partition's backup is then kept in another.
 */
public record ClusterConfig(
  String name,
  String host,
  int hazelcastPort,
  int eventBusPort,
  List<String> members,
  int seedWaitMs,
  int joinTimeoutMs,
  AdvertiseConfig advertise,
  TlsConfig tls,
  String joinSecret,
  String zone) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_HAZELCAST_PORT = 5701;
  public static final int DEFAULT_EVENT_BUS_PORT = 0;
  public static final int DEFAULT_SEED_WAIT_MS = 0;
  public static final int DEFAULT_JOIN_TIMEOUT_MS = 30_000;

  public ClusterConfig {
    if (name != null) {
      Checks.notBlank("name", name);
    }
    Checks.notBlank("host", host);
    Checks.port("hazelcastPort", hazelcastPort);
    Checks.portOrAny("eventBusPort", eventBusPort);
    members = List.copyOf(members);
    Checks.inRange("joinTimeoutMs", joinTimeoutMs, 1_000, 600_000);
    Checks.inRange("seedWaitMs", seedWaitMs, 0, 600_000);
    if (seedWaitMs >= joinTimeoutMs) {
      throw new InvalidConfigException("seedWaitMs", "must be less than cluster.joinTimeoutMs (" + joinTimeoutMs
        + "), was " + seedWaitMs + ": the wait for a seed is part of the join");
    }
    for (int i = 0; i < members.size(); i++) {
      checkMember("members[" + i + "]", members.get(i));
    }
    if (advertise == null) {
      throw new InvalidConfigException("advertise", "is missing");
    }
    if (joinSecret != null) {
      Checks.secretLength("joinSecret", joinSecret);
      if (tls != null) {
        throw new InvalidConfigException("joinSecret", "is set with tls: a TLS cluster's members prove themselves with"
          + " their certificates; give a join secret only to a plain cluster");
      }
    }
    if (zone != null) {
      Checks.notBlank("zone", zone);
    }
    AdvertiseMode mode = advertise.mode();
    if (eventBusPort == 0 && (mode == AdvertiseMode.DOCKER || mode == AdvertiseMode.STATIC)) {
      throw new InvalidConfigException("eventBusPort",
        "must be a fixed port (not 0) in " + mode.configName() + " mode: it is the port that is published");
    }
  }

  /** The same, joining through {@code seeds} instead. */
  public ClusterConfig withMembers(List<String> seeds) {
    return new ClusterConfig(name, host, hazelcastPort, eventBusPort, seeds, seedWaitMs, joinTimeoutMs, advertise, tls,
      joinSecret, zone);
  }

  /** Whether this node binds every interface, in which case it cannot advertise its bind address. */
  public boolean bindsAnyInterface() {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  private static void checkMember(String key, String member) {
    try {
      URI uri = new URI("tcp://" + member);
      if (uri.getHost() == null || uri.getPath() == null || !uri.getPath().isEmpty() || uri.getUserInfo() != null) {
        throw new URISyntaxException(member, "not host[:port]");
      }
      if (uri.getPort() != -1) {
        Checks.port(key, uri.getPort());
      }
    } catch (URISyntaxException e) {
      throw new InvalidConfigException(key, "must be host or host:port, was \"" + member + "\"");
    }
  }

  static ClusterConfig fromJson(ConfigReader json) {
    json.allowOnly("name", "host", "hazelcastPort", "eventBusPort", "members", "seedWaitMs", "joinTimeoutMs",
      "advertise", "tls", "joinSecret", "joinSecretFile", "zone");
    String joinSecret = json.secret("joinSecret", "joinSecretFile");
    return json.construct(() -> new ClusterConfig(
      json.string("name", null),
      json.string("host", DEFAULT_HOST),
      json.integer("hazelcastPort", DEFAULT_HAZELCAST_PORT),
      json.integer("eventBusPort", DEFAULT_EVENT_BUS_PORT),
      json.strings("members", List.of()),
      json.integer("seedWaitMs", DEFAULT_SEED_WAIT_MS),
      json.integer("joinTimeoutMs", DEFAULT_JOIN_TIMEOUT_MS),
      AdvertiseConfig.fromJson(json.object("advertise")),
      TlsConfig.fromJson(json.object("tls")),
      joinSecret,
      json.string("zone", null)));
  }

  /** A record's toString would print the join secret into logs. */
  @Override
  public String toString() {
    return "ClusterConfig[name=" + name + ", " + HostPort.format(host, hazelcastPort) + ", members=" + members
      + ", tls=" + tls + ", joinSecret=" + (joinSecret == null ? "none" : "set") + ", zone=" + zone + "]";
  }
}
