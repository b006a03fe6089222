package dev.berth.runtime;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Makes Vert.x encode and decode JSON (every message on the bus) with its own streaming Jackson codec. Vert.x picks its
 * databind codec whenever jackson-databind is on the class path, which docker-java puts there; berth never maps JSON
 * to objects, and the databind codec costs more per message and class loading at start-up.
 */
public final class StreamingJsonFactory implements JsonFactory {

  private static final JsonCodec CODEC = new JacksonCodec();

  /** Before Vert.x's own factory, which has the default order {@link Integer#MAX_VALUE}. */
  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
