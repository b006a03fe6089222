package dev.berth.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An IPv4 network in CIDR notation, {@code 10.77.0.0/16}, matched by Netty's {@link IpSubnetFilterRule}. */
public final class Subnet {

  private static final Pattern CIDR = Pattern.compile("([^/]+)/(\\d{1,2})");

  private final String cidr;
  private final IpSubnetFilterRule rule;

  private Subnet(String cidr, IpSubnetFilterRule rule) {
    this.cidr = cidr;
    this.rule = rule;
  }

  static Subnet parse(String key, String cidr) {
    Matcher parts = CIDR.matcher(cidr);
    // An IPv4 literal only: InetAddress.getByName would look anything else up in DNS.
    if (!parts.matches() || !NetUtil.isValidIpV4Address(parts.group(1)) || Integer.parseInt(parts.group(2)) > 32) {
      throw new InvalidConfigException(key, "must be an IPv4 network such as 10.77.0.0/16, was \"" + cidr + "\"");
    }
    return new Subnet(cidr, new IpSubnetFilterRule(NetUtil.createInetAddressFromIpAddressString(parts.group(1)),
      Integer.parseInt(parts.group(2)), IpFilterRuleType.ACCEPT));
  }

  public boolean contains(InetAddress address) {
    return address instanceof Inet4Address && rule.matches(new InetSocketAddress(address, 0));
  }

  /** As it was written. */
  @Override
  public String toString() {
    return cidr;
  }
}
