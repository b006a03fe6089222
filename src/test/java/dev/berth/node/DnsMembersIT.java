package dev.berth.node;

import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeds given as one DNS name that stands for every node, as a Kubernetes headless service or Swarm's
 * {@code tasks.<service>} does: three berth JVMs on 127.0.0.1, .2 and .3, all on one Hazelcast port, whose only seed
 * is {@code berth-members}. Their resolver (a JDK hosts file) maps that name to an address no node listens on first,
 * then to the three; Hazelcast alone takes one address per name, so they form one cluster only because berth tries
 * every address the name has.
 */
@Timeout(180)
class DnsMembersIT {

  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final String NAME = "berth-members";

  @Test
  @DisplayName("three nodes whose one seed is a DNS name with four addresses, the first of no node, form one cluster"
    + " and serve /apple and /zebra")
  void oneNameStandsForEveryNode() throws IOException {
    Path logs = ItLogs.directory(DnsMembersIT.class);
    Path hosts = logs.resolve("hosts");
    Files.writeString(hosts, String.join("\n",
      "127.0.0.1 localhost " + InetAddress.getLocalHost().getHostName(),
      "127.0.0.9 " + NAME,
      "127.0.0.1 " + NAME,
      "127.0.0.2 " + NAME,
      "127.0.0.3 " + NAME) + "\n");
    int hazelcastPort = FreePorts.next();
    Map<String, String> hostOf = Map.of("gateway", "127.0.0.1", "worker-first", "127.0.0.2",
      "worker-second", "127.0.0.3");

    try (LocalCluster cluster = new LocalCluster(logs, List.of())) {
      for (String node : List.of("gateway", "worker-first", "worker-second")) {
        Map<String, String> env = cluster.env(node);
        env.put("BERTH_CLUSTER_HOST", hostOf.get(node));
        env.put("BERTH_HAZELCAST_PORT", String.valueOf(hazelcastPort));
        env.put("BERTH_CLUSTER_MEMBERS", NAME);
        env.put("JAVA_TOOL_OPTIONS", "-Djdk.net.hosts.file=" + hosts.toAbsolutePath());
        cluster.start(node, "conf/" + node + ".json");
      }
      cluster.awaitHealthy(BOUND);

      Poll.until("one cluster of the three", BOUND,
        () -> Members.all(cluster.managementUrl("gateway", "")).size(), size -> size == 3);
      // Members see each other before the gateway sees their consumers: each address is served a moment later.
      for (Map.Entry<String, String> path : Map.of("/apple", "First", "/zebra", "Second").entrySet()) {
        assertThat(Poll.until(path.getKey() + " served", BOUND, () -> Http.get(cluster.gatewayUrl(path.getKey())),
          response -> response.status() == 200).value().body()).isEqualTo(path.getValue());
      }
    }
  }
}
