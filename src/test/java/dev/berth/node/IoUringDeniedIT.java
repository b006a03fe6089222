package dev.berth.node;

import dev.berth.Main;
import dev.berth.testing.BerthContainer;
import dev.berth.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The berth image in a container whose seccomp profile denies io_uring, as Docker's default profile does from version
 * 25: with {@code transport} auto the node runs on NIO and says why; asked for io_uring, it refuses to start.
 */
@Timeout(120)
class IoUringDeniedIT {

  /** Docker's API takes the profile itself: everything allowed but io_uring, which fails with EPERM. */
  private static final String DENY_IO_URING = "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
    + "[\"io_uring_setup\",\"io_uring_enter\",\"io_uring_register\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}";

  private final List<BerthContainer> containers = new ArrayList<>();

  @AfterEach
  void remove() {
    containers.forEach(BerthContainer::close);
  }

  @Test
  @DisplayName("transport auto where io_uring is denied: the node runs on NIO, its start-up line says why, /apple is"
    + " answered")
  void autoFallsBackToNio() {
    BerthContainer node = started(BerthContainer.node("conf/local.json").publish(2345)).awaitHealthy(
      Duration.ofSeconds(60));

    assertThat(Http.get("http://127.0.0.1:" + node.publishedPort(2345) + "/apple").body()).isEqualTo("First");
    assertThat(node.logs()).contains("connections on nio, as io_uring is unavailable (");
  }

  @Test
  @DisplayName("transport io_uring where it is denied: exit 78 and one line naming the file, the key and the variable")
  void ioUringRequiredRefuses() {
    BerthContainer node = started(BerthContainer.node("conf/local.json").env("BERTH_TRANSPORT", "io_uring"));

    assertThat(node.awaitExit(Duration.ofSeconds(60))).isEqualTo(Main.EXIT_CONFIG);
    assertThat(node.logs().lines().toList()).singleElement().satisfies(line -> assertThat(line)
      .startsWith("berth: conf/local.json: transport (from BERTH_TRANSPORT) is io_uring, which this host does not"
        + " allow (")
      .endsWith("): use auto or nio"));
  }

  private BerthContainer started(BerthContainer container) {
    containers.add(container);
    return container.securityOption(DENY_IO_URING).start();
  }
}
