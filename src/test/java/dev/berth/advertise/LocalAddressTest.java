package dev.berth.advertise;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LocalAddressTest {

  private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");

  @Test
  @DisplayName("a node bound to every interface names itself by an IPv4 address that `ip addr` lists for an interface"
    + " that is up, never loopback or link-local")
  void firstNonLoopbackIsAnAddressOfThisMachine() throws IOException, InterruptedException {
    Set<String> candidates = addressesFromIpCommand().stream()
      .filter(ip -> !ip.startsWith("127.") && !ip.startsWith("169.254."))
      .collect(Collectors.toSet());

    Optional<String> chosen = LocalAddress.firstNonLoopback();

    assertThat(chosen.isPresent()).as("an address is chosen when `ip addr` lists one: " + candidates)
      .isEqualTo(!candidates.isEmpty());
    chosen.ifPresent(ip -> assertThat(candidates).contains(ip));
  }

  /** What iproute2 reads from the kernel over netlink, apart from the JDK's view of the interfaces. */
  private static Set<String> addressesFromIpCommand() throws IOException, InterruptedException {
    Process ip = new ProcessBuilder("ip", "-4", "-o", "addr", "show", "up").redirectErrorStream(true).start();
    String output = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ip.waitFor(10, TimeUnit.SECONDS)).as("ip addr finished").isTrue();
    assertThat(ip.exitValue()).as("ip addr: " + output).isZero();
    Matcher inet = INET.matcher(output);
    return inet.results().map(match -> match.group(1)).collect(Collectors.toSet());
  }
}
