package dev.berth.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.impl.ClusterJoinManager;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import com.hazelcast.spi.properties.ClusterProperty;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real Hazelcast members on loopback, as a node starts them: how the master's list of members stays true when members
 * die. When the master dies, members notice at different moments (each by its own missed heartbeats), and the first to
 * notice claims mastership while the others still refuse: the claim must wait for them instead of cutting them off, or
 * the cluster splits. When another member dies while the master handles a join, the master must still remove it.
 */
@Timeout(120)
class MastershipClaimTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private final LoopbackMembers members = new LoopbackMembers();

  @AfterEach
  void stop() {
    members.close();
  }

  @Test
  @DisplayName("the master dies, the next member claims at once while the last one has not noticed yet: the last one"
    + " accepts the claim once it notices, and is never cut off from the cluster")
  void lateMemberAcceptsTheClaim() {
    HazelcastInstance master = members.start(null);
    HazelcastInstance next = members.start(null);
    HazelcastInstance late = members.start(null);
    Poll.until("three members", BOUND, () -> late.getCluster().getMembers().size(), size -> size == 3);
    Member dying = master.getCluster().getLocalMember();
    UUID lateBefore = late.getCluster().getLocalMember().getUuid();
    Set<UUID> removedSeenByNext = new CopyOnWriteArraySet<>();
    next.getCluster().addMembershipListener(removals(removedSeenByNext));

    master.getLifecycleService().terminate();
    // The next member misses the master's heartbeats first, as one of several members does in a real cluster.
    ((HazelcastInstanceProxy) next).getOriginal().node.getClusterService()
      .suspectMember(next.getCluster().getMembers().iterator().next(), "first to miss the master's heartbeats", true);

    Poll.until("two members, led by the next one, on both", BOUND, () -> List.of(view(next), view(late)),
      views -> views.stream().allMatch(view -> view.equals(List.of(
        next.getCluster().getLocalMember().getUuid(), late.getCluster().getLocalMember().getUuid()))));
    assertThat(late.getCluster().getLocalMember().getUuid()).as("the late member's UUID: a new one means it was cut off"
      + " and merged back").isEqualTo(lateBefore);
    assertThat(removedSeenByNext).as("members the next master removed").containsExactly(dying.getUuid());
  }

  @Test
  @DisplayName("a member whose heartbeats stop while the master handles a join is removed once the join is done,"
    + " instead of staying listed: joiners are told only of live members")
  void memberSilentDuringAJoinIsRemoved() throws Exception {
    HazelcastInstance master = members.start(null);
    HazelcastInstance silent = members.start(null);
    HazelcastInstance other = members.start(null);
    Poll.until("three members", BOUND, () -> other.getCluster().getMembers().size(), size -> size == 3);
    ClusterServiceImpl cluster = ((HazelcastInstanceProxy) master).getOriginal().node.getClusterService();
    Member dying = silent.getCluster().getLocalMember();

    // The one thing faked: Hazelcast's own flag of a join under way, held for longer than a join takes, so that the
    // master meets the member's death inside the join, as replacements joining during a drain make it do.
    Field joinInProgress = ClusterJoinManager.class.getDeclaredField("joinInProgress");
    joinInProgress.setAccessible(true);
    joinInProgress.set(cluster.getClusterJoinManager(), true);
    silent.getLifecycleService().terminate();
    // Its address then takes connections and never answers, as a container's vanished overlay address drops them,
    // instead of refusing them, which would have Hazelcast suspect it again and again.
    try (ServerSocket deadAddress = new ServerSocket(dying.getAddress().getPort(), 50,
      InetAddress.getByName(dying.getAddress().getHost()))) {
      long noHeartbeatMs = ((HazelcastInstanceProxy) master).getOriginal().node.getProperties()
        .getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS);
      Poll.until("the master past the dead member's heartbeat deadline", BOUND, () -> cluster.getClusterTime()
        - cluster.getClusterHeartbeatManager().getLastHeartbeatTime(dying), silence -> silence > noHeartbeatMs + 2_000);
      joinInProgress.set(cluster.getClusterJoinManager(), false);

      Poll.until("the dead member removed on both live members", BOUND, () -> List.of(view(master), view(other)),
        views -> views.stream().noneMatch(view -> view.contains(dying.getUuid())));
    }
  }

  private static List<UUID> view(HazelcastInstance member) {
    return member.getCluster().getMembers().stream().map(Member::getUuid).toList();
  }

  private static MembershipListener removals(Set<UUID> removed) {
    return new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        removed.add(event.getMember().getUuid());
      }
    };
  }
}
