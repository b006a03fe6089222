package dev.berth.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 network in CIDR notation, {@code 10.77.0.0/16}. */
public record Subnet(int network, int prefixLength) {

  static Subnet parse(String key, String cidr) {
    int slash = cidr.indexOf('/');
    try {
      if (slash < 0 || !cidr.substring(0, slash).matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        throw new NumberFormatException();
      }
      int prefixLength = Integer.parseInt(cidr.substring(slash + 1));
      if (prefixLength < 0 || prefixLength > 32) {
        throw new NumberFormatException();
      }
      return new Subnet(toInt(InetAddress.getByName(cidr.substring(0, slash))) & mask(prefixLength), prefixLength);
    } catch (NumberFormatException | UnknownHostException e) {
      throw new InvalidConfigException(key, "must be an IPv4 network such as 10.77.0.0/16, was \"" + cidr + "\"");
    }
  }

  public boolean contains(InetAddress address) {
    return address instanceof Inet4Address && (toInt(address) & mask(prefixLength)) == network;
  }

  private static int mask(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  private static int toInt(InetAddress address) {
    byte[] bytes = address.getAddress();
    return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
  }

  @Override
  public String toString() {
    return ((network >>> 24) & 0xff) + "." + ((network >>> 16) & 0xff) + "." + ((network >>> 8) & 0xff) + "."
      + (network & 0xff) + "/" + prefixLength;
  }
}
