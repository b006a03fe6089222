package dev.berth.runtime;

import dev.berth.protocol.BusRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingJsonFactoryTest {

  @Test
  @DisplayName("Vert.x encodes JSON with its streaming codec, although jackson-databind is on the class path")
  void streamingCodecDespiteDatabind() throws ClassNotFoundException {
    Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
    assertThat(Json.CODEC).isExactlyInstanceOf(JacksonCodec.class).isNotInstanceOf(DatabindCodec.class);
  }

  @Test
  @DisplayName("a bus message survives the streaming codec's round trip, bytes included")
  void roundTrip() {
    JsonObject request = new BusRequest("POST", "/é", "q=1", Map.of("a", List.of("1")),
      Buffer.buffer(new byte[] {0, (byte) 0xff})).toJson();
    assertThat(new JsonObject(request.toBuffer())).isEqualTo(request);
  }
}
