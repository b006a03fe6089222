package dev.berth.cluster;

import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Certificates;
import dev.berth.testing.FreePorts;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS cluster given its authority's revocation list ({@code cluster.tls.crl}), with real nodes: a node revoked with
 * {@code java -jar berth.jar revoke} while the cluster runs stops getting requests once the others read the list again,
 * its certificate no longer opens an event-bus connection, the master removes it, and restarted with that certificate
 * it is refused; a revoked node that reads the list itself stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class RevocationIT {

  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  private static final Duration BOUND = Duration.ofSeconds(60);
  /** How long a handshake the server accepted is watched for a late refusal (TLS 1.3 sends it after the client's). */
  private static final int REFUSAL_WAIT_MS = 2_000;

  private final Path logs = ItLogs.directory(RevocationIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, NODES);
  private Path certs;
  private int gatewayEventBusPort;

  @BeforeAll
  void startClusterWithList() throws IOException {
    // A directory of its own per run: the list of an earlier run would still revoke what it revoked.
    certs = Files.createTempDirectory(logs, "certs-");
    Certificates.make(certs, "gateway", "worker-first", "worker-second", "retired");
    Certificates.revoke(certs, "retired");
    gatewayEventBusPort = FreePorts.next();
    cluster.env("gateway").put("BERTH_EVENTBUS_PORT", Integer.toString(gatewayEventBusPort));
    for (String node : NODES) {
      cluster.env(node).putAll(Certificates.env(certs, node));
      // worker-first reads no list, as a node run by whoever holds a leaked key: the others must shut it out.
      if (!node.equals("worker-first")) {
        cluster.env(node).put("BERTH_TLS_CRL", certs.resolve("crl.pem").toString());
      }
      cluster.start(node, "conf/" + node + ".json");
    }
    cluster.awaitHealthy(BOUND);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("with a list that revokes another node, the cluster serves /a and /z, and a member's certificate opens"
    + " an event-bus connection")
  void servesWithList() {
    assertThat(Poll.until("First", BOUND, () -> get("/a"), response -> response.status() == 200).value().body())
      .isEqualTo("First");
    assertThat(Poll.until("Second", BOUND, () -> get("/z"), response -> response.status() == 200).value().body())
      .isEqualTo("Second");
    assertThat(eventBusAccepts(certs.resolve("worker-second.pem"), certs.resolve("worker-second-key.pem"))).isTrue();
  }

  @Test
  @Order(2)
  @DisplayName("worker-first revoked while it runs: /a gets 503 once the gateway read the list again, /z is still"
    + " served, worker-first's certificate no longer opens an event-bus connection, a connection it opened before is"
    + " closed at what it sends next, and the master removes it from the cluster")
  void revokedWhileRunning() throws Exception {
    try (SSLSocket heldOpen = eventBusConnection(certs.resolve("worker-first.pem"),
      certs.resolve("worker-first-key.pem"))) {
      assertThat(stillOpen(heldOpen)).as("worker-first's connection before the revocation").isTrue();
      revokeWorkerFirst();
      // The head of an event-bus frame of 256 bytes: without berth's check, Vert.x would wait for the rest.
      heldOpen.getOutputStream().write(new byte[] {0, 0, 1, 0});
      heldOpen.getOutputStream().flush();
      assertThat(stillOpen(heldOpen)).as("worker-first's connection made before the revocation, once it sent something")
        .isFalse();
    }
    Poll.until("worker-first removed from the cluster by its master", BOUND,
      () -> Members.of(cluster.managementUrl("gateway", "")).keySet(), names -> !names.contains("worker-first"));
    assertThat(cluster.node("gateway").output()).contains("is revoked (cluster.tls.crl): removed from cluster '"
      + cluster.name() + "'");
    assertThat(get("/z").status()).isEqualTo(200);
  }

  private void revokeWorkerFirst() throws Exception {
    String printed = Certificates.revoke(certs, "worker-first");
    assertThat(printed).contains("revoked the certificate of node worker-first", "2 certificate(s) revoked");
    Path revokedCertificate = movedFile("worker-first-", ".pem");
    Path revokedKey = movedFile("worker-first-", "-key.pem");

    Http.Response refused = Poll.until("/a refused", BOUND, () -> get("/a"), response -> response.status() == 503)
      .value();

    assertThat(refused.body()).contains("\"status\":503");
    assertThat(get("/z").status()).isEqualTo(200);
    assertThat(cluster.node("gateway").output()).containsPattern("member \\S+ \\(worker-first\\) has not proven it"
      + " belongs to cluster '" + cluster.name() + "': its certificate \\(CN=worker-first, serial [0-9a-f]+\\) is revoked"
      + " \\(cluster\\.tls\\.crl\\); no request goes to it");
    Poll.until("the revoked certificate refused at the event bus", BOUND,
      () -> eventBusAccepts(revokedCertificate, revokedKey), accepted -> !accepted);
    assertThat(eventBusAccepts(certs.resolve("worker-second.pem"), certs.resolve("worker-second-key.pem"))).isTrue();
  }

  @Test
  @Order(3)
  @DisplayName("worker-second, given the list, revoked while it runs: once it read the list again it drains, leaves"
    + " the cluster and exits 78 with one line, as it would at start-up; /z then gets 503")
  void revokedNodeWithListStops() {
    Certificates.revoke(certs, "worker-second");

    BerthProcess revoked = cluster.node("worker-second");
    assertThat(revoked.awaitExit(BOUND)).as(revoked.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(revoked.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .isEqualTo("berth: " + certs.resolve("worker-second.pem") + " (cluster.tls.cert) is revoked by "
        + certs.resolve("crl.pem") + " (cluster.tls.crl): move its two files away and make this node a new certificate"
        + " with java -jar berth.jar certs; this node drains, leaves the cluster and stops");
    assertThat(revoked.output()).contains("left the cluster and stopped");
    assertThat(Poll.until("/z refused", BOUND, () -> get("/z"), response -> response.status() == 503).value().body())
      .contains("\"status\":503");
  }

  @Test
  @Order(4)
  @DisplayName("the revoked node started again with its certificate and no list is refused by the cluster: exit 78 and"
    + " one line")
  void revokedNodeRefused() throws Exception {
    Map<String, String> env = cluster.env("intruder");
    env.put("BERTH_TLS_CA", certs.resolve("ca.pem").toString());
    env.put("BERTH_TLS_CERT", movedFile("worker-first-", ".pem").toString());
    env.put("BERTH_TLS_KEY", movedFile("worker-first-", "-key.pem").toString());

    BerthProcess intruder = cluster.start("intruder", "conf/worker-first.json");

    assertThat(intruder.awaitExit(BOUND)).as(intruder.output()).isEqualTo(Main.EXIT_CONFIG);
    assertThat(intruder.output().lines().filter(line -> line.startsWith("berth: "))).singleElement().asString()
      .matches("berth: 127\\.0\\.0\\.1:\\d+, a member of cluster '" + cluster.name() + "', refused this node: its"
        + " certificate \\(CN=worker-first, serial [0-9a-f]+\\) is revoked \\(cluster\\.tls\\.crl\\)");
  }

  private Http.Response get(String path) {
    return Http.get(cluster.gatewayUrl(path));
  }

  /** The file {@code revoke} moved to {@code revoked/}, named after the node and the certificate's serial. */
  private Path movedFile(String prefix, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(certs.resolve("revoked"))) {
      return files.filter(file -> {
        String name = file.getFileName().toString();
        return name.startsWith(prefix) && name.endsWith(suffix) && (suffix.equals("-key.pem")
          || !name.endsWith("-key.pem"));
      }).findFirst().orElseThrow();
    }
  }

  /**
   * Whether the gateway's event bus keeps a TLS connection that shows this certificate open: a refused one ends with an
   * alert, at the handshake or, in TLS 1.3, right after it.
   */
  private boolean eventBusAccepts(Path certificate, Path key) {
    try (SSLSocket socket = eventBusConnection(certificate, key)) {
      return stillOpen(socket);
    } catch (SSLException refused) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to the gateway's event bus: " + e.getMessage(), e);
    }
  }

  /** A TLS connection to the gateway's event bus that shows this certificate, its handshake done on this side. */
  private SSLSocket eventBusConnection(Path certificate, Path key) throws IOException {
    SSLSocket socket;
    try {
      socket = (SSLSocket) Certificates.showing(certs.resolve("ca.pem"), certificate, key).getSocketFactory()
        .createSocket();
    } catch (GeneralSecurityException | TlsException e) {
      throw new IllegalStateException("cannot use " + certificate + ": " + e.getMessage(), e);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", gatewayEventBusPort), 5_000);
    socket.setSoTimeout(REFUSAL_WAIT_MS);
    socket.startHandshake();
    return socket;
  }

  /** Whether the server kept the connection: nothing, not even its end or an alert, arrived within the wait. */
  private static boolean stillOpen(SSLSocket socket) throws IOException {
    try {
      return socket.getInputStream().read() != -1;
    } catch (SocketTimeoutException open) {
      return true;
    } catch (SSLException | SocketException closed) {
      return false;
    }
  }
}
