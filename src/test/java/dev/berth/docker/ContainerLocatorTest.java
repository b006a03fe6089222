package dev.berth.docker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Container ids from {@code /proc/self} files recorded in containers of a Docker 20.10 daemon (cgroup v1, default and
 * custom cgroup parent); the cgroup v2 lines follow the kernel's format for a private namespace and a systemd scope.
 */
class ContainerLocatorTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("mountinfo gives the id from the source of the /etc/hostname mount")
  void mountinfo() throws Exception {
    assertThat(ContainerLocator.idFromMountinfo(sample("mountinfo-docker.txt")))
      .contains("936e05270d51aab86e3b50040a0f2dc66a737aa8f9686c9caf10896d5c8ca0a3");
  }

  @Test
  @DisplayName("cgroup v1 under the default /docker/ parent gives the id")
  void cgroupV1Default() throws Exception {
    assertThat(ContainerLocator.idFromCgroup(sample("cgroup-v1-docker.txt")))
      .contains("c3c028868798877afc82e9e582cd4af5058b8079ffb4f32345d8efa87a9c68dc");
  }

  @Test
  @DisplayName("cgroup v1 under a custom --cgroup-parent gives the id, whatever the prefix")
  void cgroupV1CustomParent() throws Exception {
    assertThat(ContainerLocator.idFromCgroup(sample("cgroup-v1-custom-parent.txt")))
      .contains("7c4153e4d9bea35dc664d8a8b379cdbf816ed69c8ba31c08ab8b48de4eac2416");
  }

  @Test
  @DisplayName("cgroup v2 in a systemd scope gives the id between docker- and .scope")
  void cgroupV2SystemdScope() throws Exception {
    assertThat(ContainerLocator.idFromCgroup(sample("cgroup-v2-systemd-scope.txt")))
      .contains("cfe9f38302011982b86fd711a7414a98659342d5b0428d0d78998266dcbc294a");
  }

  @Test
  @DisplayName("cgroup v2 with a private cgroup namespace shows only / and gives no id")
  void cgroupV2PrivateNamespace() throws Exception {
    assertThat(ContainerLocator.idFromCgroup(sample("cgroup-v2-private-namespace.txt"))).isEmpty();
  }

  @Test
  @DisplayName("a hex string longer than an id is not taken for one")
  void longerHexIsNotAnId() {
    assertThat(ContainerLocator.idFromCgroup("1:cpu:/x/" + "a".repeat(65))).isEmpty();
  }

  @Test
  @DisplayName("the sources are tried in order: configured, mountinfo, cgroup, then HOSTNAME")
  void sourcesInOrder() throws Exception {
    Path mountinfo = write("mountinfo", sample("mountinfo-docker.txt"));
    Path cgroup = write("cgroup", sample("cgroup-v1-docker.txt"));
    Path noFile = dir.resolve("absent");
    Path dockerenv = write(".dockerenv", "");
    Map<String, String> env = Map.of("HOSTNAME", "3d67c90cd9aa");

    assertThat(new ContainerLocator(mountinfo, cgroup, dockerenv).locate("explicit", env))
      .contains(new ContainerIdentity("explicit", "BERTH_CONTAINER_ID"));
    assertThat(new ContainerLocator(mountinfo, cgroup, dockerenv).locate(null, env).orElseThrow().source())
      .isEqualTo(ContainerLocator.MOUNTINFO);
    assertThat(new ContainerLocator(noFile, cgroup, dockerenv).locate(null, env).orElseThrow().source())
      .isEqualTo(ContainerLocator.CGROUP);
    assertThat(new ContainerLocator(noFile, write("v2", "0::/\n"), dockerenv).locate(null, env))
      .contains(new ContainerIdentity("3d67c90cd9aa", "HOSTNAME"));
  }

  @Test
  @DisplayName("HOSTNAME alone, without Docker's /.dockerenv marker, does not mean a container")
  void hostnameAloneIsNoEvidence() throws IOException {
    Path noFile = dir.resolve("absent");
    assertThat(new ContainerLocator(noFile, write("v2", "0::/\n"), noFile).locate(null, Map.of("HOSTNAME", "laptop")))
      .isEmpty();
  }

  @Test
  @DisplayName("a container's short id is the first 12 characters of its long id; names stay as they are")
  void shortId() {
    assertThat(new ContainerIdentity("936e05270d51aab86e3b50040a0f2dc66a737aa8f9686c9caf10896d5c8ca0a3", "x").shortId())
      .isEqualTo("936e05270d51");
    assertThat(new ContainerIdentity("berth-worker-1", "x").shortId()).isEqualTo("berth-worker-1");
  }

  private static String sample(String name) throws IOException, URISyntaxException {
    return Files.readString(Path.of(Objects.requireNonNull(ContainerLocatorTest.class.getResource("/procfs/" + name)).toURI()));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
