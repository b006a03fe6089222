package dev.berth.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * This host's Docker Engine API, configured the standard way ({@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY},
 * {@code DOCKER_CERT_PATH}; default {@code unix:///var/run/docker.sock}, read-only is enough). The API version is the
 * daemon's own, never pinned. Every call has a bounded timeout and a few retries; every failure is an
 * {@link AdvertiseException} naming the endpoint and what to do.
 */
final class DockerApi implements AutoCloseable {

  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(3);
  static final int ATTEMPTS = 3;
  static final Duration RETRY_DELAY = Duration.ofMillis(250);

  /**
   * A unix socket never speaks TLS, but the transport builds a TLS strategy anyway; an uninitialised context spares
   * loading the JVM's trust store, a few hundred milliseconds of start-up.
   */
  private static final SSLConfig UNUSED_TLS = () -> SSLContext.getInstance("TLS");

  private final DockerClient client;
  private final String endpoint;

  private DockerApi(DockerClient client, String endpoint) {
    this.client = client;
    this.endpoint = endpoint;
  }

  static DockerApi connect(Map<String, String> env) throws AdvertiseException {
    String host = valueOf(env, "DOCKER_HOST", DEFAULT_HOST);
    if (host.startsWith("unix://")) {
      checkSocket(Path.of(URI.create(host).getPath()));
    }
    DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host);
    String tlsVerify = valueOf(env, "DOCKER_TLS_VERIFY", null);
    if (tlsVerify != null) {
      builder.withDockerTlsVerify(!tlsVerify.equals("0") && !tlsVerify.equalsIgnoreCase("false"));
    }
    String certPath = valueOf(env, "DOCKER_CERT_PATH", null);
    if (certPath != null) {
      builder.withDockerCertPath(certPath);
    }
    try {
      DefaultDockerClientConfig config = builder.build();
      ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(host.startsWith("unix://") ? UNUSED_TLS : config.getSSLConfig())
        .connectionTimeout(CONNECT_TIMEOUT)
        .responseTimeout(RESPONSE_TIMEOUT)
        .maxConnections(2)
        .build();
      return new DockerApi(DockerClientImpl.getInstance(config, http), host);
    } catch (DockerClientException | IllegalArgumentException e) {
      throw new AdvertiseException("cannot use the Docker API at " + host + ": " + e.getMessage()
        + ": check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH");
    } catch (RuntimeException e) {
      throw new AdvertiseException(describe(host, e));
    }
  }

  String endpoint() {
    return endpoint;
  }

  /** Inspects the container, retrying failures that may pass (timeouts, a daemon still starting). */
  InspectContainerResponse inspect(ContainerIdentity container) throws AdvertiseException {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.inspectContainerCmd(container.id()).exec();
      } catch (NotFoundException e) {
        throw new AdvertiseException("container " + container.shortId() + " (from " + container.source()
          + ") is not known to the Docker API at " + endpoint + ": is that the daemon running this container?"
          + " Set BERTH_CONTAINER_ID to this container's id");
      } catch (RuntimeException e) {
        if (attempt == ATTEMPTS || !mayPass(e)) {
          throw new AdvertiseException(describe(endpoint, e));
        }
        LockSupport.parkNanos(RETRY_DELAY.toNanos());
      }
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // Closing an HTTP connection pool after a lookup: nothing to recover.
    }
  }

  private static void checkSocket(Path socket) throws AdvertiseException {
    if (!Files.exists(socket)) {
      throw new AdvertiseException("the Docker API socket " + socket + " does not exist: mount it with -v " + socket
        + ":" + socket + ":ro, or set BERTH_ADVERTISE=none (or static) when no published ports need advertising");
    }
    if (!Files.isWritable(socket)) {
      throw new AdvertiseException("cannot open the Docker API socket " + socket + ": permission denied for uid "
        + attribute(Path.of("/proc/self"), "unix:uid") + ": the socket belongs to group " + attribute(socket, "unix:gid")
        + "; add that group (docker run --group-add " + attribute(socket, "unix:gid")
        + ") or start the container as root so the image's entrypoint can add it");
    }
  }

  private static boolean mayPass(RuntimeException e) {
    Throwable cause = rootCause(e);
    return cause instanceof InterruptedIOException || cause instanceof ConnectException
      || (e instanceof DockerException docker && docker.getHttpStatus() >= 500);
  }

  private static String describe(String endpoint, RuntimeException e) {
    Throwable cause = rootCause(e);
    if (e instanceof DockerException docker) {
      return "the Docker API at " + endpoint + " answered " + docker.getHttpStatus() + ": " + firstLine(docker.getMessage());
    }
    if (hasCause(e, SSLException.class)) {
      return "TLS with the Docker API at " + endpoint + " failed (" + firstLine(cause.getMessage())
        + "): check DOCKER_TLS_VERIFY and the certificates in DOCKER_CERT_PATH";
    }
    if (cause instanceof InterruptedIOException) {
      return "the Docker API at " + endpoint + " did not answer within " + CONNECT_TIMEOUT.plus(RESPONSE_TIMEOUT).toSeconds()
        + " s (" + ATTEMPTS + " attempts): is DOCKER_HOST the daemon of this host, and reachable?";
    }
    if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
      return "cannot reach the Docker API at " + endpoint + " (" + lastPart(firstLine(cause.getMessage()))
        + "): is dockerd running there? Check DOCKER_HOST";
    }
    if (String.valueOf(cause.getMessage()).contains("Permission denied")) {
      return "cannot open the Docker API at " + endpoint + ": permission denied: add the socket's group to this"
        + " container (docker run --group-add <gid>)";
    }
    return "the Docker API at " + endpoint + " failed: " + cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  /** The transport prefixes the OS's reason with the URL it tried ("Connect to http://h:1 failed: Connection refused"). */
  private static String lastPart(String message) {
    return message.substring(message.lastIndexOf(": ") + 1).strip();
  }

  private static Object attribute(Path path, String attribute) {
    try {
      return Files.getAttribute(path, attribute);
    } catch (IOException | UnsupportedOperationException e) {
      return "?";
    }
  }

  private static String valueOf(Map<String, String> env, String name, String defaultValue) {
    String value = env.get(name);
    return value == null || value.isBlank() ? defaultValue : value.trim();
  }
}
