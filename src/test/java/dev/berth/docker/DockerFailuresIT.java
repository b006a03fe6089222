package dev.berth.docker;

import com.github.dockerjava.api.model.Bind;
import dev.berth.Main;
import dev.berth.testing.BerthContainer;
import dev.berth.testing.Docker;
import dev.berth.testing.ItLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way the Docker lookup can fail, each in a real container of the real daemon: the node stops within seconds
 * with exit code 78 and one line that names the socket, container or port and says what to do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DockerFailuresIT {

  /** From container start to exit, JVM start included. */
  static final Duration REFUSAL_BOUND = Duration.ofSeconds(20);

  private final String hostIp = Docker.hostIp();
  private final List<BerthContainer> containers = new ArrayList<>();
  private Path certs;

  @BeforeAll
  void makeClientCertificates() throws IOException {
    certs = Files.createDirectories(ItLogs.directory(DockerFailuresIT.class).resolve("certs"));
    Docker.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=berth-it",
      "-keyout", certs.resolve("key.pem").toString(), "-out", certs.resolve("cert.pem").toString()), Duration.ofSeconds(30));
    Files.copy(certs.resolve("cert.pem"), certs.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String file : List.of("key.pem", "cert.pem", "ca.pem")) {
      Files.setPosixFilePermissions(certs.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  @AfterEach
  void remove() {
    containers.forEach(BerthContainer::close);
    containers.clear();
  }

  @Test
  @DisplayName("docker mode without the socket mounted says how to mount it")
  void socketMissing() {
    BerthContainer node = start(published());
    assertThat(refusal(node)).isEqualTo("berth: the Docker API socket /var/run/docker.sock does not exist: mount it"
      + " with -v /var/run/docker.sock:/var/run/docker.sock:ro, or set BERTH_ADVERTISE=none (or static) when no"
      + " published ports need advertising");
  }

  @Test
  @DisplayName("a non-root user without the socket's group is told which group to add")
  void permissionDenied() throws IOException {
    Object gid = Files.getAttribute(Path.of(BerthContainer.SOCKET), "unix:gid");
    BerthContainer node = start(published().withDockerSocket().user("10001:10001"));
    assertThat(refusal(node)).isEqualTo("berth: cannot open the Docker API socket /var/run/docker.sock: permission"
      + " denied for uid 10001: the socket belongs to group " + gid + "; add that group (docker run --group-add " + gid
      + ") or start the container as root so the image's entrypoint can add it");
  }

  @Test
  @DisplayName("a container id the daemon does not know is named, with where it came from")
  void containerNotFound() {
    BerthContainer node = start(published().withDockerSocket().env("BERTH_CONTAINER_ID", "0123456789ab"));
    assertThat(refusal(node)).isEqualTo("berth: container 0123456789ab (from BERTH_CONTAINER_ID) is not known to the"
      + " Docker API at unix:///var/run/docker.sock: is that the daemon running this container? Set"
      + " BERTH_CONTAINER_ID to this container's id");
  }

  @Test
  @DisplayName("an event-bus port that is not published is named with the -p that fixes it")
  void portNotPublished() {
    BerthContainer node = start(BerthContainer.node("conf/worker-first.json").publish(5701).withDockerSocket()
      .env("BERTH_ADVERTISE", "docker").env("BERTH_HOST_IP", hostIp));
    assertThat(refusal(node)).isEqualTo("berth: port 5710/tcp of container " + node.shortId()
      + " is not published: run with -p 5710 or set BERTH_ADVERTISE=none");
  }

  @Test
  @DisplayName("ports published on every address without BERTH_HOST_IP ask for it")
  void hostIpMissing() {
    BerthContainer node = start(BerthContainer.node("conf/worker-first.json").publish(5701, 5710).withDockerSocket()
      .env("BERTH_ADVERTISE", "docker"));
    assertThat(refusal(node)).isEqualTo("berth: ports 5701/tcp and 5710/tcp of container " + node.shortId()
      + " are published on every host address, which does not say which one peers should use: set BERTH_HOST_IP to"
      + " this host's address (or publish with -p <host-ip>::5701)");
  }

  @Test
  @DisplayName("a loopback BERTH_HOST_IP is refused: no peer can reach it")
  void loopbackHostIp() {
    BerthContainer node = start(published().withDockerSocket().env("BERTH_HOST_IP", "127.0.0.1"));
    assertThat(refusal(node)).isEqualTo("berth: will not advertise 127.0.0.1 (host IP from BERTH_HOST_IP): no peer can"
      + " reach a wildcard or loopback address; set BERTH_HOST_IP to this host's address");
  }

  @Test
  @DisplayName("BERTH_HOST_IP=swarm-node on a Docker host in no Swarm says so and asks for the host's address")
  void swarmNodeOutsideASwarm() {
    BerthContainer node = start(published().withDockerSocket().env("BERTH_HOST_IP", "swarm-node"));
    assertThat(refusal(node)).isEqualTo("berth: BERTH_HOST_IP=swarm-node, but the Docker host at"
      + " unix:///var/run/docker.sock is not an active node of a Swarm (state inactive): set BERTH_HOST_IP to this"
      + " host's address");
  }

  @Test
  @DisplayName("a daemon that refuses the connection is named with DOCKER_HOST")
  void daemonUnreachable() {
    BerthContainer node = start(published().env("DOCKER_HOST", "tcp://" + hostIp + ":1"));
    assertThat(refusal(node)).isEqualTo("berth: cannot reach the Docker API at tcp://" + hostIp + ":1 (Connection"
      + " refused): is dockerd running there? Check DOCKER_HOST");
  }

  @Test
  @DisplayName("a TLS handshake with something that is not a TLS Docker API says which certificates to check")
  void tlsFailure() throws IOException {
    try (ServerSocket plainHttp = new ServerSocket(0)) {
      Thread answering = new Thread(() -> answerPlainHttp(plainHttp), "plain-http");
      answering.setDaemon(true);
      answering.start();
      String endpoint = "tcp://" + hostIp + ":" + plainHttp.getLocalPort();
      BerthContainer node = start(published().env("DOCKER_HOST", endpoint).env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", "/certs").bind(Bind.parse(certs.toAbsolutePath() + ":/certs:ro")));
      assertThat(refusal(node)).startsWith("berth: TLS with the Docker API at " + endpoint + " failed (")
        .endsWith("): check DOCKER_TLS_VERIFY and the certificates in DOCKER_CERT_PATH");
      answering.interrupt();
    }
  }

  @Test
  @DisplayName("a node on the host's network is told that Docker publishes nothing there")
  void hostNetwork() {
    BerthContainer node = start(BerthContainer.node("conf/worker-first.json").network("host").withDockerSocket()
      .env("BERTH_ADVERTISE", "docker").env("BERTH_HOST_IP", hostIp)
      .env("BERTH_HAZELCAST_PORT", "15701").env("BERTH_EVENTBUS_PORT", "15710").env("BERTH_MANAGEMENT_PORT", "19345"));
    assertThat(refusal(node)).isEqualTo("berth: container " + node.shortId() + " uses the host's network, so Docker"
      + " publishes nothing: set BERTH_ADVERTISE=none, the bound addresses are the host's");
  }

  /** A worker in docker mode with both cluster ports published and BERTH_HOST_IP set: only the tested fault remains. */
  private BerthContainer published() {
    return BerthContainer.node("conf/worker-first.json").publish(5701, 5710)
      .env("BERTH_ADVERTISE", "docker").env("BERTH_HOST_IP", hostIp);
  }

  private BerthContainer start(BerthContainer node) {
    containers.add(node);
    return node.start();
  }

  /** The node's whole output, which must be one line, after it exited with 78 within the bound. */
  private static String refusal(BerthContainer node) {
    long start = System.nanoTime();
    assertThat(node.awaitExit(REFUSAL_BOUND)).as("exit code, output:\n" + node.logs()).isEqualTo(Main.EXIT_CONFIG);
    System.out.printf("DockerFailuresIT: refused in %d ms: %s%n", Duration.ofNanos(System.nanoTime() - start).toMillis(),
      node.logs().strip());
    assertThat(node.logs().lines()).as("output").hasSize(1);
    return node.logs().strip();
  }

  private static void answerPlainHttp(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException closed) {
        return;
      }
    }
  }
}
