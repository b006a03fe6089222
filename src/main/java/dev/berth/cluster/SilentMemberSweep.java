package dev.berth.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.memberselector.MemberSelectors;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import com.hazelcast.spi.properties.ClusterProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Removes, on the master, members that stopped sending heartbeats long ago and are still listed. Hazelcast 5.7's master
 * that finds a member's heartbeats late while it handles a join takes that for a mastership claim under way: it marks
 * the member suspected instead of removing it, and never checks a suspected member again. The dead member then stays in
 * the list every joiner is given, and joiners wait for it until their join bound (seen in Swarm drains, where
 * replacements join as the drained host's members go). Suspecting such a member again once no join is under way makes
 * Hazelcast remove it.
 */
final class SilentMemberSweep implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SilentMemberSweep.class);

  private final ClusterServiceImpl cluster;
  /** Twice Hazelcast's own bound: a member silent this long would have been removed, had nothing gone wrong. */
  private final long silentForMs;

  private SilentMemberSweep(ClusterServiceImpl cluster, long silentForMs) {
    this.cluster = cluster;
    this.silentForMs = silentForMs;
  }

  /** Sweeps every heartbeat interval, on Hazelcast's scheduler, until the member shuts down. */
  static void start(Node node) {
    ClusterServiceImpl cluster = node.getClusterService();
    long interval = cluster.getClusterHeartbeatManager().getHeartbeatIntervalMillis();
    SilentMemberSweep sweep = new SilentMemberSweep(cluster,
      2 * node.getProperties().getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS));
    node.getNodeEngine().getExecutionService().scheduleWithRepetition("berth-silent-members", sweep, interval,
      interval, TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    if (!cluster.isJoined() || !cluster.isMaster()) {
      return;
    }
    long now = cluster.getClusterTime();
    for (Member member : cluster.getMembers(MemberSelectors.NON_LOCAL_MEMBER_SELECTOR)) {
      long lastHeartbeat = cluster.getClusterHeartbeatManager().getLastHeartbeatTime(member);
      if (lastHeartbeat > 0 && now - lastHeartbeat > silentForMs) {
        log.warn("member {} sent no heartbeat for {} ms and is still listed: suspected again, to be removed", member,
          now - lastHeartbeat);
        cluster.suspectMember(member, "berth: no heartbeat for " + (now - lastHeartbeat) + " ms", true);
      }
    }
  }
}
