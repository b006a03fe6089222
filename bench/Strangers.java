import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Strangers knocking at a berth cluster's Hazelcast ports in a loop, for bench/strangers.sh: a stock Hazelcast member
 * that knows the cluster's name and partition count and retries its join without end, a Hazelcast client that retries
 * its connection without end, and four threads of connections that send Hazelcast's member protocol, random bytes, an
 * HTTP request, a TLS ClientHello, or nothing at all. Part of the harness, not of berth. Prints one line once it has
 * started, then its raw connections every 5 s. Run as a source file:
 *   java -cp target/berth.jar bench/Strangers.java CLUSTER PARTITION_COUNT MEMBER,...
 */
public class Strangers {

  private static final AtomicLong connections = new AtomicLong();

  public static void main(String[] args) throws Exception {
    String cluster = args[0];
    String partitions = args[1];
    List<String> seeds = Arrays.asList(args[2].split(","));
    System.setProperty("hazelcast.logging.type", "none");
    new Thread(() -> join(cluster, partitions, seeds), "member").start();
    new Thread(() -> client(cluster, seeds), "client").start();
    for (int i = 0; i < 4; i++) {
      loop("bytes-" + i, () -> knock(seeds));
    }
    System.out.println("strangers knocking at " + seeds);
    while (true) {
      Thread.sleep(5_000);
      System.out.println("raw connections " + connections.get());
    }
  }

  private static void loop(String name, Runnable attempt) {
    Thread thread = new Thread(() -> {
      while (true) {
        attempt.run();
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** A stock member that retries its join for an hour, as long as a run lasts. */
  private static void join(String cluster, String partitions, List<String> seeds) {
    Config config = new Config().setClusterName(cluster).setProperty("hazelcast.partition.count", partitions)
      .setProperty("hazelcast.max.join.seconds", "3600").setProperty("hazelcast.phone.home.enabled", "false")
      .setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().setPort(0).getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1)
      .setMembers(seeds);
    Hazelcast.newHazelcastInstance(config);
  }

  /** A client that retries its connection for an hour, once a second. */
  private static void client(String cluster, List<String> seeds) {
    ClientConfig config = new ClientConfig().setClusterName(cluster);
    config.getNetworkConfig().setAddresses(seeds);
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_600_000)
      .setInitialBackoffMillis(1_000).setMaxBackoffMillis(1_000);
    HazelcastClient.newHazelcastClient(config);
  }

  /** One connection to a random seed that says something other than berth's handshake, or nothing. */
  private static void knock(List<String> seeds) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String[] seed = seeds.get(random.nextInt(seeds.size())).split(":");
    byte[][] words = {
      "HZC".getBytes(StandardCharsets.US_ASCII),
      "GET / HTTP/1.1\r\nHost: berth\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03},
      randomBytes(random),
      new byte[0]};
    connections.incrementAndGet();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(seed[0], Integer.parseInt(seed[1])), 1_000);
      socket.setSoTimeout(3_000);
      OutputStream out = socket.getOutputStream();
      out.write(words[random.nextInt(words.length)]);
      out.flush();
      socket.getInputStream().readAllBytes();
    } catch (IOException closed) {
      // Closed by the member, as it should be.
    }
  }

  private static byte[] randomBytes(ThreadLocalRandom random) {
    byte[] bytes = new byte[random.nextInt(1, 512)];
    random.nextBytes(bytes);
    return bytes;
  }
}
