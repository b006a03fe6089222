package dev.berth.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetTest {

  @Test
  @DisplayName("a subnet holds the addresses of its prefix and no others, whatever its host bits were written as")
  void containsItsPrefix() throws Exception {
    Subnet overlay = Subnet.parse("subnet", "10.77.3.9/16");

    assertThat(overlay).hasToString("10.77.3.9/16");
    assertThat(overlay.contains(InetAddress.getByName("10.77.255.1"))).isTrue();
    assertThat(overlay.contains(InetAddress.getByName("10.78.0.1"))).isFalse();
    assertThat(overlay.contains(InetAddress.getByName("::1"))).isFalse();
    assertThat(Subnet.parse("subnet", "0.0.0.0/0").contains(InetAddress.getByName("192.0.2.1"))).isTrue();
    assertThat(Subnet.parse("subnet", "192.0.2.7/32").contains(InetAddress.getByName("192.0.2.8"))).isFalse();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"10.77.0.0", "10.77.0.0/33", "10.77.0/16", "overlay/16", "10.77.0.0/x", "::1/64", "10.77.0.300/16"})
  @DisplayName("anything but an IPv4 network in CIDR notation is refused, naming the key")
  void refusesOthers(String cidr) {
    assertThatThrownBy(() -> Subnet.parse("subnet", cidr)).isInstanceOf(InvalidConfigException.class)
      .hasMessageContaining("must be an IPv4 network such as 10.77.0.0/16, was \"" + cidr + "\"");
  }
}
