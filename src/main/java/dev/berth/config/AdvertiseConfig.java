package dev.berth.config;


/**
 * What a node advertises to the cluster. {@code hostIp} is the address peers use to reach this node's host
 * ({@value #BRIDGE_GATEWAY} means the gateway of the container's Docker network, for one host only; {@value #SWARM_NODE}
 * the host's address in its Docker Swarm);
 * {@code hazelcastPort}/{@code eventBusPort} are the public ports in {@code static} mode; {@code subnet}, in
 * {@code none} mode with every interface bound, the network whose address of this node it names itself by (a
 * container on several networks, such as a Swarm task on an overlay network and docker_gwbridge).
 */
public record AdvertiseConfig(
  AdvertiseMode mode,
  String hostIp,
  String containerId,
  Integer hazelcastPort,
  Integer eventBusPort,
  Subnet subnet) {

  public static final AdvertiseMode DEFAULT_MODE = AdvertiseMode.AUTO;
  public static final String BRIDGE_GATEWAY = "bridge-gateway";
  public static final String SWARM_NODE = "swarm-node";
  public static final AdvertiseConfig DEFAULT = new AdvertiseConfig(DEFAULT_MODE, null, null, null, null, null);

  public AdvertiseConfig {
    if (mode == null) {
      throw new InvalidConfigException("mode", "is missing");
    }
    if (hostIp != null) {
      Checks.notBlank("hostIp", hostIp);
    }
    if (containerId != null) {
      Checks.notBlank("containerId", containerId);
    }
    if (hazelcastPort != null) {
      Checks.port("hazelcastPort", hazelcastPort);
    }
    if (eventBusPort != null) {
      Checks.port("eventBusPort", eventBusPort);
    }
    if (mode == AdvertiseMode.STATIC) {
      requiredInStaticMode("hostIp", hostIp);
      requiredInStaticMode("hazelcastPort", hazelcastPort);
      requiredInStaticMode("eventBusPort", eventBusPort);
    }
  }

  private static void requiredInStaticMode(String key, Object value) {
    if (value == null) {
      throw new InvalidConfigException(key, "is missing: static mode advertises hostIp, hazelcastPort and eventBusPort as given");
    }
  }

  static AdvertiseConfig fromJson(ConfigReader json) {
    json.allowOnly("mode", "hostIp", "containerId", "hazelcastPort", "eventBusPort", "subnet");
    String subnet = json.string("subnet", null);
    return json.construct(() -> new AdvertiseConfig(
      AdvertiseMode.parse(json.key("mode"), json.string("mode", DEFAULT_MODE.configName())),
      json.string("hostIp", null),
      json.string("containerId", null),
      json.optionalInteger("hazelcastPort"),
      json.optionalInteger("eventBusPort"),
      subnet == null ? null : Subnet.parse("subnet", subnet)));
  }
}
