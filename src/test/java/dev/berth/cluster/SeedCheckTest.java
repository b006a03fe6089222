package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.berth.testing.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Seeds checked against a real Hazelcast member, a port that accepts and stays silent, and one nobody listens on. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeedCheckTest {

  private HazelcastInstance member;
  private ServerSocket silent;
  private String memberSeed;
  private String silentSeed;

  @BeforeAll
  void start() throws IOException {
    Config config = ClusterSetup.loadHazelcastConfig().setClusterName("seed-check-" + UUID.randomUUID());
    int port = FreePorts.next();
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
      .setInterfaces(List.of("127.0.0.1"));
    config.setProperty("hazelcast.socket.bind.any", "false");
    member = Hazelcast.newHazelcastInstance(config);
    memberSeed = "127.0.0.1:" + port;
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    silentSeed = "127.0.0.1:" + silent.getLocalPort();
  }

  @AfterAll
  void stop() throws IOException {
    member.shutdown();
    silent.close();
  }

  @Test
  @DisplayName("a Hazelcast member, a port nobody listens on and a seed without a port are kept; a port that accepts"
    + " and does not answer as Hazelcast is left out with a line naming it")
  void leavesOutWhatIsNotHazelcast() {
    String nobody = "127.0.0.1:" + FreePorts.next();
    List<String> seeds = List.of(memberSeed, silentSeed, nobody, "localhost");

    SeedCheck.Result result = SeedCheck.start(seeds).await();

    assertThat(result.seeds()).containsExactly(memberSeed, nobody, "localhost");
    assertThat(result.leftOut()).singleElement().asString()
      .startsWith("seed " + silentSeed + " accepted a connection but did not answer within 1000 ms: not a Hazelcast"
        + " member that answers");
  }
}
