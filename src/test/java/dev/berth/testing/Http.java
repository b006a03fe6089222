package dev.berth.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Blocking HTTP for tests that drive processes and containers from outside. */
public final class Http {

  /**
   * HTTP/1.1: by default the JDK's client upgrades to HTTP/2, and the JDK 17 client fails every open stream on a
   * GOAWAY instead of finishing it, so a draining gateway's answers would look lost.
   */
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private Http() {
  }

  /**
   * A response, or status -1 with the error as body when the request failed at the connection level; {@code attempts}
   * is how many worker nodes the gateway sent it to.
   */
  public record Response(int status, String servedBy, int attempts, String body) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    @Override
    public String toString() {
      return status + (servedBy == null ? "" : " from " + servedBy) + ": " + body;
    }
  }

  public static Response get(String url) {
    try {
      return toResponse(CLIENT.send(request(url), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return new Response(-1, null, 0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(-1, null, 0, e.toString());
    }
  }

  public static CompletableFuture<Response> getAsync(String url) {
    return CLIENT.sendAsync(request(url), HttpResponse.BodyHandlers.ofString())
      .thenApply(Http::toResponse)
      .exceptionally(failure -> new Response(-1, null, 0, failure.toString()));
  }

  /** Any request, such as a POST with bytes, answered with the body as bytes. */
  public static HttpResponse<byte[]> exchange(HttpRequest.Builder request) throws IOException {
    try {
      return CLIENT.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** {@link #exchange}, in the background. */
  public static CompletableFuture<HttpResponse<byte[]>> exchangeAsync(HttpRequest.Builder request) {
    return CLIENT.sendAsync(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).build();
  }

  private static Response toResponse(HttpResponse<String> response) {
    return new Response(response.statusCode(), response.headers().firstValue("X-Served-By").orElse(null),
      response.headers().firstValue("X-Berth-Attempts").map(Integer::parseInt).orElse(1), response.body());
  }
}
