package dev.berth.docker;

import com.github.dockerjava.core.LocalDirectorySSLConfig;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import dev.berth.config.AdvertiseConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * This host's Docker Engine API, configured the standard way ({@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY},
 * {@code DOCKER_CERT_PATH}; default {@code unix:///var/run/docker.sock}, read-only is enough), through docker-java's
 * httpclient5 transport. Requests use unversioned paths, so the daemon answers in its own API version: never pinned.
 * Every call has a bounded timeout and a few retries; every failure is an {@link DockerException} naming the
 * endpoint and what to do.
 */
final class DockerApi implements AutoCloseable {

  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(3);
  static final int ATTEMPTS = 3;
  static final Duration RETRY_DELAY = Duration.ofMillis(250);
  private static final int NOT_FOUND = 404;
  private static final int SERVER_ERROR = 500;
  /** What docker-java's LocalDirectorySSLConfig reads from DOCKER_CERT_PATH. */
  private static final List<String> TLS_FILES = List.of("ca.pem", "cert.pem", "key.pem");

  /**
   * A unix socket never speaks TLS, but the transport builds a TLS strategy anyway, from the JVM's trust store when it
   * is given none; an uninitialised context spares loading it.
   */
  private static final SSLConfig UNUSED_TLS = () -> SSLContext.getInstance("TLS");

  private final DockerHttpClient http;
  private final String endpoint;

  private DockerApi(DockerHttpClient http, String endpoint) {
    this.http = http;
    this.endpoint = endpoint;
  }

  static DockerApi connect(Map<String, String> env) throws DockerUnavailableException {
    String host = valueOf(env, "DOCKER_HOST", DEFAULT_HOST);
    URI uri;
    try {
      uri = new URI(host);
    } catch (URISyntaxException e) {
      throw new DockerUnavailableException("DOCKER_HOST=" + host + " is not a URI (" + e.getReason()
        + "): set it to unix:///path/to/docker.sock or tcp://host:port");
    }
    if ("unix".equals(uri.getScheme())) {
      checkSocket(Path.of(uri.getPath()));
    } else if (!"tcp".equals(uri.getScheme())) {
      throw new DockerUnavailableException("DOCKER_HOST=" + host + " has the scheme \"" + uri.getScheme() + "\", which berth"
        + " cannot use: set it to unix:///path/to/docker.sock or tcp://host:port");
    }
    SSLConfig tls = sslConfig(host, uri, env);
    try {
      DockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(uri)
        .sslConfig(tls)
        .connectionTimeout(CONNECT_TIMEOUT)
        .responseTimeout(RESPONSE_TIMEOUT)
        .maxConnections(2)
        .build();
      return new DockerApi(http, host);
    } catch (RuntimeException e) {
      throw new DockerUnavailableException("cannot set up the Docker API client for " + host + ": "
        + firstLine(rootCause(e).getMessage()) + ": check DOCKER_TLS_VERIFY and the certificates in DOCKER_CERT_PATH");
    }
  }

  /**
   * TLS with the client certificate in DOCKER_CERT_PATH (default ~/.docker) when DOCKER_TLS_VERIFY asks for it. Given a
   * directory without the certificates, docker-java would fall back to plain HTTP; berth refuses instead.
   */
  private static SSLConfig sslConfig(String host, URI uri, Map<String, String> env) throws DockerUnavailableException {
    if ("unix".equals(uri.getScheme())) {
      return UNUSED_TLS;
    }
    String verify = valueOf(env, "DOCKER_TLS_VERIFY", "0");
    if (verify.equals("0") || verify.equalsIgnoreCase("false")) {
      return null;
    }
    Path certPath = Path.of(valueOf(env, "DOCKER_CERT_PATH", Path.of(System.getProperty("user.home"), ".docker").toString()));
    List<String> missing = TLS_FILES.stream().filter(file -> !Files.isReadable(certPath.resolve(file))).toList();
    if (!missing.isEmpty()) {
      throw new DockerUnavailableException("DOCKER_TLS_VERIFY is set for " + host + ", but " + certPath + " lacks "
        + String.join(", ", missing) + ": put the client certificates there or point DOCKER_CERT_PATH at them");
    }
    return new LocalDirectorySSLConfig(certPath.toString());
  }

  String endpoint() {
    return endpoint;
  }

  /** Inspects the container, retrying failures that may pass (timeouts, a daemon still starting). */
  ContainerDescription inspect(ContainerIdentity container) throws DockerUnavailableException {
    JsonObject inspection = get("/containers/" + container.id() + "/json", "container " + container.shortId()
      + " (from " + container.source() + ") is not known to the Docker API at " + endpoint + ": is that the daemon"
      + " running this container? Set BERTH_CONTAINER_ID to this container's id");
    try {
      return ContainerDescription.fromJson(inspection);
    } catch (IllegalArgumentException | ClassCastException e) {
      throw unreadable("container " + container.shortId(), e);
    }
  }

  /**
   * This host's address in its Swarm ({@code Swarm.NodeAddr} of {@code GET /info}): the one the other nodes of the Swarm
   * reach it at, and so the one a task's host-mode published ports are reached at.
   */
  String swarmNodeAddress() throws DockerException {
    JsonObject swarm = get("/info", "the Docker API at " + endpoint + " has no /info: is DOCKER_HOST a Docker Engine API?")
      .getJsonObject("Swarm", new JsonObject());
    String state = swarm.getString("LocalNodeState", "inactive");
    String address = swarm.getString("NodeAddr", "");
    if (!state.equals("active") || address.isEmpty()) {
      throw new DockerException("BERTH_HOST_IP=" + AdvertiseConfig.SWARM_NODE + ", but the Docker host at "
        + endpoint + " is not an active node of a Swarm (state " + state + "): set BERTH_HOST_IP to this host's address");
    }
    return address;
  }

  /** A GET of the API answered 200 with a JSON object, retrying failures that may pass (timeouts, a daemon starting). */
  private JsonObject get(String path, String notFound) throws DockerUnavailableException {
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
      .method(DockerHttpClient.Request.Method.GET)
      .path(path)
      .build();
    for (int attempt = 1; ; attempt++) {
      try (DockerHttpClient.Response response = http.execute(request)) {
        int status = response.getStatusCode();
        Buffer body = read(response.getBody());
        if (status == NOT_FOUND) {
          throw new DockerUnavailableException(notFound);
        }
        if (status >= SERVER_ERROR && attempt < ATTEMPTS) {
          LockSupport.parkNanos(RETRY_DELAY.toNanos());
          continue;
        }
        if (status != 200) {
          throw new DockerUnavailableException("the Docker API at " + endpoint + " answered " + status + ": " + message(body));
        }
        try {
          return new JsonObject(body);
        } catch (DecodeException e) {
          throw unreadable(path, e);
        }
      } catch (IOException | RuntimeException e) {
        if (attempt == ATTEMPTS || !mayPass(e)) {
          throw new DockerUnavailableException(describe(endpoint, e));
        }
        LockSupport.parkNanos(RETRY_DELAY.toNanos());
      }
    }
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException ignored) {
      // Closing an HTTP connection pool after a lookup: nothing to recover.
    }
  }

  private DockerUnavailableException unreadable(String what, Exception e) {
    return new DockerUnavailableException("the Docker API at " + endpoint + " described " + what + " in a form berth"
      + " cannot read (" + firstLine(e.getMessage()) + "): is DOCKER_HOST a Docker Engine API?");
  }

  private static Buffer read(InputStream body) throws IOException {
    return body == null ? Buffer.buffer() : Buffer.buffer(body.readAllBytes());
  }

  /** The daemon's own words: its error documents are {"message": "..."}. */
  private static String message(Buffer body) {
    try {
      return firstLine(new JsonObject(body).getString("message", body.toString()));
    } catch (DecodeException notJson) {
      return firstLine(body.toString());
    }
  }

  private static void checkSocket(Path socket) throws DockerUnavailableException {
    if (!Files.exists(socket)) {
      throw new DockerUnavailableException("the Docker API socket " + socket + " does not exist: mount it with -v " + socket
        + ":" + socket + ":ro, or set BERTH_ADVERTISE=none (or static) when no published ports need advertising");
    }
    if (!Files.isWritable(socket)) {
      throw new DockerUnavailableException("cannot open the Docker API socket " + socket + ": permission denied for uid "
        + attribute(Path.of("/proc/self"), "unix:uid") + ": the socket belongs to group " + attribute(socket, "unix:gid")
        + "; add that group (docker run --group-add " + attribute(socket, "unix:gid")
        + ") or start the container as root so the image's entrypoint can add it");
    }
  }

  private static boolean mayPass(Exception e) {
    Throwable cause = rootCause(e);
    return cause instanceof InterruptedIOException || cause instanceof ConnectException;
  }

  private static String describe(String endpoint, Exception e) {
    Throwable cause = rootCause(e);
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
