package dev.berth.docker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Docker endpoints berth refuses before it connects; the failures of a real daemon are in DockerFailuresIT. */
class DockerApiTest {

  @Test
  @DisplayName("a DOCKER_HOST scheme other than unix or tcp is refused with the forms that work")
  void unusableScheme() {
    assertThatThrownBy(() -> DockerApi.connect(Map.of("DOCKER_HOST", "ssh://user@host")))
      .hasMessage("DOCKER_HOST=ssh://user@host has the scheme \"ssh\", which berth cannot use: set it to"
        + " unix:///path/to/docker.sock or tcp://host:port");
  }

  @Test
  @DisplayName("a DOCKER_HOST that is not a URI is named")
  void notAUri() {
    assertThatThrownBy(() -> DockerApi.connect(Map.of("DOCKER_HOST", "tcp://bad host:2375")))
      .hasMessageStartingWith("DOCKER_HOST=tcp://bad host:2375 is not a URI (")
      .hasMessageEndingWith("): set it to unix:///path/to/docker.sock or tcp://host:port");
  }

  @Test
  @DisplayName("TLS asked for without the certificates is refused, where docker-java would fall back to plain HTTP")
  void tlsWithoutCertificates(@TempDir Path certPath) throws IOException {
    Files.writeString(certPath.resolve("ca.pem"), "not used");
    Map<String, String> env = Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY", "1",
      "DOCKER_CERT_PATH", certPath.toString());
    assertThatThrownBy(() -> DockerApi.connect(env)).hasMessage("DOCKER_TLS_VERIFY is set for tcp://127.0.0.1:2376, but "
      + certPath + " lacks cert.pem, key.pem: put the client certificates there or point DOCKER_CERT_PATH at them");
  }

  @Test
  @DisplayName("certificates that cannot be read as PEM are refused with the variables to check")
  void unreadableCertificates(@TempDir Path certPath) throws IOException {
    for (String file : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
      Files.writeString(certPath.resolve(file), "not a certificate");
    }
    Map<String, String> env = Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY", "1",
      "DOCKER_CERT_PATH", certPath.toString());
    assertThatThrownBy(() -> DockerApi.connect(env))
      .hasMessageStartingWith("cannot set up the Docker API client for tcp://127.0.0.1:2376: ")
      .hasMessageEndingWith(": check DOCKER_TLS_VERIFY and the certificates in DOCKER_CERT_PATH");
  }
}
