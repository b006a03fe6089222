package dev.berth.protocol;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The one shape of every error berth answers over HTTP: {@code {"status":404,"error":"...","path":"/1abc"}}. */
public final class HttpError {

  private HttpError() {
  }

  public static JsonObject body(int status, String error, String path) {
    return new JsonObject().put("status", status).put("error", error).put("path", path);
  }

  public static void send(HttpServerResponse response, int status, String error, String path) {
    response.setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(body(status, error, path).toBuffer());
  }
}
