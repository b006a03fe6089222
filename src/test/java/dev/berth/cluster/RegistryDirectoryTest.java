package dev.berth.cluster;

import io.vertx.core.Completable;
import io.vertx.core.VertxException;
import io.vertx.core.spi.cluster.RegistrationInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order in which the registry's answers arrive. Hazelcast cannot be made to answer a read late or to fail one on
 * cue, so the registry here is {@link HeldReads}, which answers each read only when the test says.
 */
class RegistryDirectoryTest {

  private static final String ADDRESS = "first";

  private final HeldReads reads = new HeldReads();
  private RegistryDirectory directory;

  @BeforeEach
  void watch() {
    directory = new RegistryDirectory(reads::read, (address, registrations) -> registrations);
    directory.watch(ADDRESS);
  }

  @Test
  @DisplayName("a read begun before an update does not replace what the update listed")
  void olderReadLosesToNewerUpdate() {
    directory.listed(ADDRESS, List.of(registration("worker-a")));

    reads.answerOldest(List.of());

    assertThat(directory.of(ADDRESS)).containsExactly("worker-a");
  }

  @Test
  @DisplayName("a read with no update meanwhile is what the directory lists")
  void readAloneCounts() {
    reads.answerOldest(List.of(registration("worker-b"), registration("worker-a")));

    assertThat(directory.of(ADDRESS)).containsExactly("worker-a", "worker-b");
  }

  @Test
  @DisplayName("an update that empties a listed address counts only once a read again finds it empty")
  void emptyUpdateIsReadAgain() {
    reads.answerOldest(List.of(registration("worker-a")));

    directory.listed(ADDRESS, List.of());

    assertThat(directory.of(ADDRESS)).containsExactly("worker-a");
    reads.answerOldest(List.of());
    assertThat(directory.of(ADDRESS)).isEmpty();
  }

  @Test
  @DisplayName("an empty update whose read again fails leaves the address's nodes listed")
  void emptyUpdateWithFailedReadIsIgnored() {
    reads.answerOldest(List.of(registration("worker-a")));

    directory.listed(ADDRESS, List.of());
    reads.failOldest();

    assertThat(directory.of(ADDRESS)).containsExactly("worker-a");
  }

  @Test
  @DisplayName("an update that lists fewer nodes, not none, counts at once")
  void shrinkingUpdateCounts() {
    reads.answerOldest(List.of(registration("worker-a"), registration("worker-b")));

    directory.listed(ADDRESS, List.of(registration("worker-b")));

    assertThat(directory.of(ADDRESS)).containsExactly("worker-b");
    assertThat(reads.pending()).isZero();
  }

  private static RegistrationInfo registration(String node) {
    return new RegistrationInfo(node, 1, false);
  }

  /** A registry whose reads wait until the test answers or fails them, oldest first. */
  private static final class HeldReads {

    private final Deque<Completable<List<RegistrationInfo>>> waiting = new ArrayDeque<>();

    void read(String address, Completable<List<RegistrationInfo>> promise) {
      waiting.add(promise);
    }

    void answerOldest(List<RegistrationInfo> registrations) {
      waiting.remove().succeed(registrations);
    }

    void failOldest() {
      waiting.remove().fail(new VertxException("partition migrating", true));
    }

    int pending() {
      return waiting.size();
    }
  }
}
