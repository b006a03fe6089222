package dev.berth.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import dev.berth.config.HostPort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Bounds a node's join. Hazelcast can let a node in and then wait, without end, for connections to members it cannot
 * reach or that cannot reach it (addresses private to another host, a firewall that lets the seed's port through but
 * not the others). When the node has not joined within its bound, the watch says what it knows, the members it was
 * told of and whether they answer from here, and the address the node advertises, and hands that one line on.
 */
public final class JoinWatch implements InitialMembershipListener {

  private static final int CONNECT_TIMEOUT_MS = 1_000;

  private final Set<String> members = ConcurrentHashMap.newKeySet();
  private final CountDownLatch joined = new CountDownLatch(1);

  private JoinWatch() {
  }

  /** A watch that Hazelcast tells of every member it learns of, from the config it starts with. */
  static JoinWatch listeningTo(Config config) {
    JoinWatch watch = new JoinWatch();
    config.addListenerConfig(new ListenerConfig(watch));
    return watch;
  }

  /**
   * Starts the bound, on a thread of its own.
   *
   * @param advertised what this node advertises for Hazelcast, and why, for the line
   * @param onTimeout  gets the line when the node has not joined in time
   */
  public void start(long timeoutMs, String clusterName, List<String> seeds, String advertised,
                    Consumer<String> onTimeout) {
    Thread watch = new Thread(() -> {
      try {
        if (!joined.await(timeoutMs, TimeUnit.MILLISECONDS)) {
          onTimeout.accept(explain(timeoutMs, clusterName, seeds, advertised));
        }
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
    }, "berth-join-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /** The node joined: the bound no longer applies. */
  public void joined() {
    joined.countDown();
  }

  @Override
  public void init(InitialMembershipEvent event) {
    event.getMembers().forEach(this::learn);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    learn(event.getMember());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    Address address = event.getMember().getAddress();
    members.remove(HostPort.format(address.getHost(), address.getPort()));
  }

  private void learn(Member member) {
    if (!member.localMember()) {
      members.add(HostPort.format(member.getAddress().getHost(), member.getAddress().getPort()));
    }
  }

  private String explain(long timeoutMs, String clusterName, List<String> seeds, String advertised) {
    String notJoined = "the node did not join cluster '" + clusterName + "' within " + timeoutMs + " ms: ";
    String advertisedLine = "it advertises " + advertised;
    if (members.isEmpty()) {
      return notJoined + "no seed let it in (" + String.join(", ", seeds) + "): are the seeds up and reachable from"
        + " here, and in cluster '" + clusterName + "'? " + advertisedLine;
    }
    Map<String, CompletableFuture<Boolean>> answers = members.stream().collect(Collectors.toMap(member -> member,
      member -> CompletableFuture.supplyAsync(() -> reachable(member))));
    List<String> unreachable = answers.entrySet().stream()
      .filter(answer -> !answer.getValue().completeOnTimeout(false, 2 * CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .join())
      .map(Map.Entry::getKey).sorted().toList();
    if (!unreachable.isEmpty()) {
      return notJoined + "it was let in, but cannot reach member(s) " + String.join(", ", unreachable) + " from here"
        + " (do they advertise addresses private to their host?); " + advertisedLine;
    }
    return notJoined + "it was let in and reaches every member it was told of (" + members.stream().sorted()
      .collect(Collectors.joining(", ")) + "), so they cannot reach it back: " + advertisedLine
      + ", which they must reach (check BERTH_ADVERTISE, BERTH_HOST_IP and the firewall for the published ports)";
  }

  private static boolean reachable(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1))), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException | RuntimeException unreachable) {
      return false;
    }
  }
}
