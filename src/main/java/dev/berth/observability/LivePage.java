package dev.berth.observability;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /}: the cluster as a page that redraws itself from {@code /cluster}. Its three files ship in the jar and
 * are served from memory: nothing is fetched from elsewhere, since the network may be air-gapped, and the page's
 * policy allows no other origin.
 */
final class LivePage {

  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
    + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private LivePage() {
  }

  static void mount(Router router) {
    serve(router, "/", "page/index.html", "text/html; charset=utf-8");
    serve(router, "/page/page.js", "page/page.js", "text/javascript; charset=utf-8");
    serve(router, "/page/page.css", "page/page.css", "text/css; charset=utf-8");
  }

  private static void serve(Router router, String path, String resource, String contentType) {
    Buffer content = read(resource);
    router.get(path).handler(ctx -> send(ctx, content, contentType));
  }

  private static void send(RoutingContext ctx, Buffer content, String contentType) {
    ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
      .putHeader("Content-Security-Policy", POLICY)
      .putHeader("X-Content-Type-Options", "nosniff")
      .end(content);
  }

  private static Buffer read(String resource) {
    try (InputStream in = LivePage.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
