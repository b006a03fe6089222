package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The envelope's codecs, writing behind a frame's other bytes as the clustered event bus does. */
class EnvelopeTest {

  private static final Buffer FRAME_BEFORE_BODY = Buffer.buffer("frame header");

  @Test
  @DisplayName("a request crosses the wire whole: method, path, query, repeated and non-ASCII headers, binary body")
  void requestRoundTrip() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("accept", List.of("text/plain", "application/json"));
    headers.put("x-name", List.of("Zoë ☃"));
    headers.put("x-empty", List.of(""));
    BusRequest sent = new BusRequest("POST", "/zebra/ü", "a=1&b", headers, Buffer.buffer(new byte[]{0, -1, 10, 127}));

    BusRequest received = overTheWire(new Envelope.RequestCodec(), sent);

    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.path()).isEqualTo("/zebra/ü");
    assertThat(received.query()).isEqualTo("a=1&b");
    assertThat(received.headers()).isEqualTo(headers);
    assertThat(received.headers().keySet()).containsExactly("accept", "x-name", "x-empty");
    assertThat(received.body().getBytes()).containsExactly(0, -1, 10, 127);
  }

  @Test
  @DisplayName("a request without query, headers or body arrives without them")
  void bareRequest() {
    BusRequest received = overTheWire(new Envelope.RequestCodec(), new BusRequest("GET", "/apple", null, null, null));

    assertThat(received.query()).isNull();
    assertThat(received.headers()).isEmpty();
    assertThat(received.body().length()).isZero();
  }

  @Test
  @DisplayName("a reply crosses the wire whole: status, content type, who served it, binary body")
  void replyRoundTrip() {
    BusReply sent = new BusReply(418, "application/octet-stream", Buffer.buffer(new byte[]{-128, 0, 1}), "wörker-1");

    BusReply received = overTheWire(new Envelope.ReplyCodec(), sent);

    assertThat(received.status()).isEqualTo(418);
    assertThat(received.contentType()).isEqualTo("application/octet-stream");
    assertThat(received.servedBy()).isEqualTo("wörker-1");
    assertThat(received.body().getBytes()).containsExactly(-128, 0, 1);
  }

  @Test
  @DisplayName("on one Vert.x the receiver gets a body of its own, not the sender's")
  void localDeliveryCopiesTheBody() {
    BusReply sent = BusReply.text("First", "node");

    BusReply received = new Envelope.ReplyCodec().transform(sent);
    received.body().setByte(0, (byte) 'X');

    assertThat(sent.body().toString()).isEqualTo("First");
  }

  private static <T> T overTheWire(MessageCodec<T, T> codec, T sent) {
    Buffer wire = FRAME_BEFORE_BODY.copy();
    codec.encodeToWire(wire, sent);
    return codec.decodeFromWire(FRAME_BEFORE_BODY.length(), wire);
  }
}
