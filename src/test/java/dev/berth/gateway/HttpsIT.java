package dev.berth.gateway;

import dev.berth.Main;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Certificates;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Poll;
import dev.berth.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node from the built jar whose gateway serves HTTPS (gateway.tls, given by BERTH_HTTPS_CERT and BERTH_HTTPS_KEY),
 * with a certificate made by {@code java -jar berth.jar certs} for the name {@code localhost}; and the files it
 * refuses to start with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HttpsIT {

  private static final int HEADER_TIMEOUT_MS = 1_500;
  /** A deadline is checked a few times a second: it is kept within this much. */
  private static final Duration SLACK = Duration.ofMillis(1_500);
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** The files are checked every CHECK_MS: a change is served within two checks (key, then certificate), or three. */
  private static final Duration RENEWAL_BOUND = Duration.ofMillis(3 * CertificateWatch.CHECK_MS).plus(SLACK);

  private final Path logs = ItLogs.directory(HttpsIT.class);
  private final Path certs = logs.resolve("certs");
  /** The files the node serves, copied from {@code certs}: a test renews them in place. */
  private final Path served = logs.resolve("served");
  private final LocalCluster node = new LocalCluster(logs, List.of("node"));
  private Path conf;

  @BeforeAll
  void start() throws IOException {
    Certificates.make(certs, "localhost", "other");
    Files.createDirectories(served);
    Files.copy(certs.resolve("localhost.pem"), served.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(certs.resolve("localhost-key.pem"), served.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
    conf = logs.resolve("node.json");
    Files.writeString(conf, """
      {"roles": ["gateway", "worker"],
       "gateway": {"headerTimeoutMs": %d},
       "workers": [{"address": "first", "response": "First"}, {"address": "second", "response": "Second"}],
       "cluster": {"host": "127.0.0.1"}}""".formatted(HEADER_TIMEOUT_MS));
    node.env("node").putAll(Map.of("BERTH_HTTPS_CERT", served.resolve("cert.pem").toString(),
      "BERTH_HTTPS_KEY", served.resolve("key.pem").toString()));
    node.start("node", conf.toString()).awaitHealthy(Duration.ofSeconds(60));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  @DisplayName("a client that trusts the certificate's authority gets HTTP/2 by ALPN, or HTTP/1.1, bodies both ways")
  void servesHttps() throws Exception {
    HttpClient trusting = HttpClient.newBuilder().sslContext(Certificates.trusting(certs.resolve("ca.pem")))
      .connectTimeout(WAIT).build();
    for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpResponse<String> get = trusting.send(request("/apple").version(version).GET().build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(get.version()).isEqualTo(version);
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("First");
      HttpResponse<String> post = trusting.send(request("/zebra").version(version)
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(10_000))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.body()).isEqualTo("Second");
    }
    assertThat(node.node("node").output()).contains("https bound 0.0.0.0:" + node.httpPort())
      .doesNotContain("ERROR", "\tat ");
  }

  @Test
  @DisplayName("a client that does not trust the certificate cannot connect; a plain HTTP request gets 400 with JSON"
    + " that says the port speaks TLS, and is closed; a connection that never finishes its handshake is closed at the"
    + " header deadline")
  void refusesWhatIsNotHttps() {
    HttpClient trustingTheJdk = HttpClient.newBuilder().connectTimeout(WAIT).build();
    assertThatThrownBy(() -> trustingTheJdk.send(request("/apple").GET().build(), HttpResponse.BodyHandlers.ofString()))
      .isInstanceOf(SSLHandshakeException.class);

    RawHttp.Exchange plain = RawHttp.exchange(node.httpPort(), "GET /apple HTTP/1.1\r\nHost: x\r\n\r\n", WAIT);
    assertThat(plain.closed()).as(plain.toString()).isTrue();
    assertThat(plain.statuses()).containsExactly(400);
    assertThat(plain.text()).contains("{\"status\":400,\"error\":\"this port speaks TLS, and the request came without"
      + " it: send it over TLS (https://)\",\"path\":\"/apple\"}");
    assertThat(plain.elapsed()).isLessThan(Duration.ofMillis(HEADER_TIMEOUT_MS));

    RawHttp.Exchange silent = RawHttp.exchange(node.httpPort(), "", WAIT);
    assertThat(silent.closed()).as(silent.toString()).isTrue();
    assertThat(silent.elapsed()).isBetween(Duration.ofMillis(HEADER_TIMEOUT_MS),
      Duration.ofMillis(HEADER_TIMEOUT_MS).plus(SLACK));

    assertThat(node.node("node").output()).doesNotContain("ERROR", "\tat ");
  }

  @Test
  @DisplayName("over TLS, a head with another HTTP version or an HTTP/2 preface without ALPN gets 505 with the usual"
    + " JSON, as over plain HTTP")
  void answersMalformedHeadsOverTls() throws Exception {
    String version = exchangeOverTls("GET /apple HTTP/2.0\r\nHost: x\r\n\r\n");
    assertThat(version).startsWith("HTTP/1.0 505 ").contains("{\"status\":505,\"error\":\"HTTP/2.0 is not served: this"
      + " port speaks HTTP/1.0 and HTTP/1.1\",\"path\":\"/apple\"}");
    String preface = exchangeOverTls("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    assertThat(preface).startsWith("HTTP/1.0 505 ").contains("\"error\":\"an HTTP/2 connection preface without ALPN:"
      + " this port offers HTTP/2 by ALPN only\"");
    assertThat(node.node("node").output()).doesNotContain("ERROR", "\tat ");
  }

  @Test
  @DisplayName("a renewed certificate written over the served files is served to new connections, without a restart;"
    + " files that do not check out are logged, and the certificate served before stays")
  void servesRenewedCertificate() throws Exception {
    BigInteger before = servedSerial();
    Files.writeString(served.resolve("cert.pem"), "not a certificate\n");
    Poll.until("the gateway refusing the broken file", RENEWAL_BOUND, () -> node.node("node").output(),
      output -> output.contains("(gateway.tls.cert) holds no PEM certificate: serving the certificate read before"));
    assertThat(servedSerial()).isEqualTo(before);

    Files.delete(certs.resolve("localhost.pem"));
    Files.delete(certs.resolve("localhost-key.pem"));
    Certificates.make(certs, "localhost");
    Files.copy(certs.resolve("localhost-key.pem"), served.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(certs.resolve("localhost.pem"), served.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
    BigInteger renewed = Poll.until("the gateway serving the renewed certificate", RENEWAL_BOUND, this::servedSerial,
      serial -> !serial.equals(before)).value();
    try (InputStream in = Files.newInputStream(certs.resolve("localhost.pem"))) {
      assertThat(renewed).isEqualTo(((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
        .getSerialNumber());
    }
    assertThat(node.node("node").output()).contains("the gateway serves the certificate CN=localhost from "
      + served.resolve("cert.pem")).doesNotContain("ERROR", "\tat ");
  }

  @Test
  @DisplayName("with gateway.tls.clientCa (BERTH_HTTPS_CLIENT_CA), a client that shows a certificate from that"
    + " authority is served; one that shows none, or one from another authority, cannot connect; a replaced authority"
    + " file is trusted without a restart")
  void clientCertificates() throws Exception {
    Path clients = logs.resolve("clients");
    Path strangers = logs.resolve("strangers");
    Certificates.make(clients, "client-a");
    Certificates.make(strangers, "client-b");
    Path clientCa = served.resolve("client-ca.pem");
    Files.copy(clients.resolve("ca.pem"), clientCa, StandardCopyOption.REPLACE_EXISTING);
    LocalCluster mutual = new LocalCluster(logs, List.of("mutual"));
    mutual.env("mutual").putAll(https("localhost.pem", "localhost-key.pem"));
    mutual.env("mutual").put("BERTH_HTTPS_CLIENT_CA", clientCa.toString());
    try {
      mutual.start("mutual", conf.toString()).awaitHealthy(Duration.ofSeconds(60));
      URI apple = URI.create("https://localhost:" + mutual.httpPort() + "/apple");
      SSLContext clientA = Certificates.showing(certs.resolve("ca.pem"), clients.resolve("client-a.pem"),
        clients.resolve("client-a-key.pem"));
      HttpClient shown = HttpClient.newBuilder().sslContext(clientA).connectTimeout(WAIT).build();
      HttpClient none = HttpClient.newBuilder().sslContext(Certificates.trusting(certs.resolve("ca.pem")))
        .connectTimeout(WAIT).build();
      HttpClient stranger = HttpClient.newBuilder().sslContext(Certificates.showing(certs.resolve("ca.pem"),
        strangers.resolve("client-b.pem"), strangers.resolve("client-b-key.pem"))).connectTimeout(WAIT).build();

      for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
        HttpResponse<String> served = shown.send(HttpRequest.newBuilder(apple).version(version).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo("First");
      }
      for (HttpClient refused : List.of(none, stranger)) {
        assertThatThrownBy(() -> refused.send(HttpRequest.newBuilder(apple).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpTimeoutException.class);
      }

      Files.copy(strangers.resolve("ca.pem"), clientCa, StandardCopyOption.REPLACE_EXISTING);
      Poll.until("the other authority's clients served", RENEWAL_BOUND, () -> status(stranger, apple),
        status -> status == 200);
      // A client of its own: the connections of the one above were made before the change, and may still be open.
      HttpClient shownAnew = HttpClient.newBuilder().sslContext(clientA).connectTimeout(WAIT).build();
      assertThat(status(shownAnew, apple)).as("the replaced authority's client").isEqualTo(-1);
      assertThat(mutual.node("mutual").output())
        .contains("https bound 0.0.0.0:" + mutual.httpPort() + " (clients show a certificate from " + clientCa + ")")
        .doesNotContain("ERROR", "\tat ");
    } finally {
      mutual.close();
    }
  }

  @Test
  @DisplayName("with gateway.tls.clientCrl (BERTH_HTTPS_CLIENT_CRL), a client whose certificate the list revokes cannot"
    + " connect and another is served; a client revoked with berth.jar revoke while connected has its open connection"
    + " closed, and cannot connect again, without a restart")
  void revokedClients() throws Exception {
    // A directory of its own per run: the list of an earlier run would still revoke what it revoked.
    Path clients = Files.createTempDirectory(logs, "clients-");
    Certificates.make(clients, "client-a", "client-b", "client-c");
    // revoke moves a revoked client's files away: what the clients show is copied first.
    Path shown = Files.createDirectories(clients.resolve("shown"));
    for (String file : List.of("client-a.pem", "client-a-key.pem", "client-b.pem", "client-b-key.pem")) {
      Files.copy(clients.resolve(file), shown.resolve(file));
    }
    Certificates.revoke(clients, "client-b");
    Path crl = clients.resolve("crl.pem");
    // Idle connections stay open long enough to be seen closed by the revocation, not by the header deadline.
    Path patient = logs.resolve("patient.json");
    Files.writeString(patient, Files.readString(conf).replace("\"headerTimeoutMs\": " + HEADER_TIMEOUT_MS,
      "\"headerTimeoutMs\": 120000"));
    LocalCluster revoking = new LocalCluster(logs, List.of("revoking"));
    revoking.env("revoking").putAll(https("localhost.pem", "localhost-key.pem"));
    revoking.env("revoking").putAll(Map.of("BERTH_HTTPS_CLIENT_CA", clients.resolve("ca.pem").toString(),
      "BERTH_HTTPS_CLIENT_CRL", crl.toString()));
    try {
      revoking.start("revoking", patient.toString()).awaitHealthy(Duration.ofSeconds(60));
      URI apple = URI.create("https://localhost:" + revoking.httpPort() + "/apple");
      SSLContext clientA = Certificates.showing(certs.resolve("ca.pem"), shown.resolve("client-a.pem"),
        shown.resolve("client-a-key.pem"));
      assertThat(status(showing(shown, "client-b"), apple)).as("revoked client-b").isEqualTo(-1);
      assertThat(status(HttpClient.newBuilder().sslContext(clientA).connectTimeout(WAIT).build(), apple))
        .as("client-a").isEqualTo(200);

      try (SSLSocket connected = (SSLSocket) clientA.getSocketFactory().createSocket("localhost",
        revoking.httpPort())) {
        connected.setSoTimeout((int) WAIT.toMillis());
        connected.getOutputStream().write("GET /apple HTTP/1.1\r\nHost: localhost\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readUntil(connected.getInputStream(), "First")).startsWith("HTTP/1.1 200 ");

        Certificates.revoke(clients, "client-a");
        Poll.until("client-a's open connection closed", RENEWAL_BOUND, () -> closed(connected), closed -> closed);
      }
      assertThat(status(HttpClient.newBuilder().sslContext(clientA).connectTimeout(WAIT).build(), apple))
        .as("client-a, revoked").isEqualTo(-1);
      assertThat(status(showing(clients, "client-c"), apple)).as("client-c").isEqualTo(200);
      // Client-a's connections: the one above, and the pooled one of its first request if the pool kept it.
      assertThat(revoking.node("revoking").output())
        .contains("(clients show a certificate from " + clients.resolve("ca.pem") + ", not revoked in " + crl + ")")
        .containsPattern("closed [12] connection\\(s\\) of clients whose certificates " + Pattern.quote(crl.toString())
          + " \\(gateway\\.tls\\.clientCrl\\) now revokes")
        .doesNotContain("ERROR", "\tat ");
    } finally {
      revoking.close();
    }
  }

  /** A client showing {@code client}'s certificate from {@code directory}, with a connection pool of its own. */
  private HttpClient showing(Path directory, String client) throws Exception {
    return HttpClient.newBuilder().sslContext(Certificates.showing(certs.resolve("ca.pem"),
      directory.resolve(client + ".pem"), directory.resolve(client + "-key.pem"))).connectTimeout(WAIT).build();
  }

  /** What the server sent until it sent {@code end}. */
  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder text = new StringBuilder();
    while (!text.toString().contains(end)) {
      int read = in.read();
      if (read < 0) {
        throw new IOException("closed before \"" + end + "\", after: " + text);
      }
      text.append((char) read);
    }
    return text.toString();
  }

  /** Whether the server closed the connection: a read ends it, or fails, rather than waiting. */
  private static boolean closed(SSLSocket socket) {
    try {
      socket.setSoTimeout(200);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  @DisplayName("a node refuses to start, exit 78 and one line naming the file and key, with a certificate file that"
    + " does not exist, a key that is not the certificate's, clients' authorities that are no certificate, a revocation"
    + " list their authority did not sign, or only one of certificate and key")
  void refusesUnusableFiles() {
    assertThat(refusal("missing", https("absent.pem", "localhost-key.pem")))
      .containsExactly("berth: " + certs.resolve("absent.pem") + " (gateway.tls.cert): no such file");
    assertThat(refusal("key-mismatch", https("localhost.pem", "other-key.pem")))
      .containsExactly("berth: " + certs.resolve("other-key.pem") + " (gateway.tls.key) is not the key of the"
        + " certificate in " + certs.resolve("localhost.pem") + " (gateway.tls.cert)");
    assertThat(refusal("not-a-certificate", https("localhost-key.pem", "localhost-key.pem")))
      .containsExactly("berth: " + certs.resolve("localhost-key.pem") + " (gateway.tls.cert) holds no PEM certificate");
    Map<String, String> keyAsClientCa = new HashMap<>(https("localhost.pem", "localhost-key.pem"));
    keyAsClientCa.put("BERTH_HTTPS_CLIENT_CA", certs.resolve("localhost-key.pem").toString());
    assertThat(refusal("client-ca-without-certificate", keyAsClientCa))
      .containsExactly("berth: " + certs.resolve("localhost-key.pem") + " (gateway.tls.clientCa) holds no PEM"
        + " certificate");
    Path otherAuthority = logs.resolve("other-authority");
    Certificates.make(otherAuthority, "client-x");
    Certificates.revoke(certs);
    Map<String, String> listOfAnother = new HashMap<>(https("localhost.pem", "localhost-key.pem"));
    listOfAnother.putAll(Map.of("BERTH_HTTPS_CLIENT_CA", otherAuthority.resolve("ca.pem").toString(),
      "BERTH_HTTPS_CLIENT_CRL", certs.resolve("crl.pem").toString()));
    assertThat(refusal("client-crl-of-another-authority", listOfAnother)).singleElement().asString()
      .startsWith("berth: " + certs.resolve("crl.pem") + " (gateway.tls.clientCrl) holds a revocation list of CN=")
      .endsWith(" that no authority in gateway.tls.clientCa signed: make it with that authority's key (java -jar"
        + " berth.jar revoke, or openssl ca -gencrl)");
    Map<String, String> certOnly = new HashMap<>(https("localhost.pem", "localhost-key.pem"));
    certOnly.remove("BERTH_HTTPS_KEY");
    assertThat(refusal("cert-only", certOnly))
      .containsExactly("berth: " + conf + ": gateway.tls.key is missing: give cert and key together, or neither for"
        + " plain HTTP");
  }

  /** The status of a GET, or -1 when the request failed at the connection. */
  private static int status(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
    } catch (IOException failed) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private List<String> refusal(String name, Map<String, String> tls) {
    LocalCluster refused = new LocalCluster(logs, List.of(name));
    refused.env(name).putAll(tls);
    BerthProcess process = refused.start(name, conf.toString());
    try {
      assertThat(process.awaitExit(Duration.ofSeconds(60))).as("exit code").isEqualTo(Main.EXIT_CONFIG);
      return process.output().lines().toList();
    } finally {
      refused.close();
    }
  }

  private Map<String, String> https(String cert, String key) {
    return Map.of("BERTH_HTTPS_CERT", certs.resolve(cert).toString(), "BERTH_HTTPS_KEY", certs.resolve(key).toString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + node.httpPort() + path)).timeout(WAIT);
  }

  /** The serial number of the certificate the gateway shows a new connection. */
  private BigInteger servedSerial() {
    try (SSLSocket socket = (SSLSocket) Certificates.trusting(certs.resolve("ca.pem")).getSocketFactory()
      .createSocket("localhost", node.httpPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("no TLS handshake with the gateway", e);
    }
  }

  /** What the gateway answers to {@code request} over TLS without ALPN, until it closes the connection. */
  private String exchangeOverTls(String request) throws IOException, GeneralSecurityException {
    try (SSLSocket socket = (SSLSocket) Certificates.trusting(certs.resolve("ca.pem")).getSocketFactory()
      .createSocket("localhost", node.httpPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      StringBuilder answer = new StringBuilder();
      assertThat(RawHttp.readUntilClosed(socket.getInputStream(), answer)).as("closed after " + answer).isTrue();
      return answer.toString();
    }
  }
}
