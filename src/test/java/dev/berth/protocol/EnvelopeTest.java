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
  @DisplayName("a direct request crosses the wire with its reply address and id")
  void directRequestRoundTrip() {
    DirectRequest sent = new DirectRequest("__berth.replies.x", Long.MAX_VALUE - 1,
      new BusRequest("DELETE", "/yak", "q", Map.of("x-a", List.of("b")), Buffer.buffer("body")));

    DirectRequest received = overTheWire(new Envelope.DirectRequestCodec(), sent);

    assertThat(received.replyTo()).isEqualTo("__berth.replies.x");
    assertThat(received.id()).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(received.request().method()).isEqualTo("DELETE");
    assertThat(received.request().path()).isEqualTo("/yak");
    assertThat(received.request().query()).isEqualTo("q");
    assertThat(received.request().headers()).isEqualTo(Map.of("x-a", List.of("b")));
    assertThat(received.request().body().toString()).isEqualTo("body");
  }

  @Test
  @DisplayName("a direct reply crosses the wire with the id it answers: the reply, or the worker's failure")
  void directReplyRoundTrip() {
    DirectReply answered = overTheWire(new Envelope.DirectReplyCodec(),
      DirectReply.answered(7, new BusReply(201, "text/plain", Buffer.buffer("made"), "w")));
    DirectReply failed = overTheWire(new Envelope.DirectReplyCodec(), DirectReply.failed(8, 503, "busy ☃"));

    assertThat(answered.id()).isEqualTo(7);
    assertThat(answered.succeeded()).isTrue();
    assertThat(answered.reply().status()).isEqualTo(201);
    assertThat(answered.reply().body().toString()).isEqualTo("made");
    assertThat(answered.reply().servedBy()).isEqualTo("w");
    assertThat(failed.id()).isEqualTo(8);
    assertThat(failed.succeeded()).isFalse();
    assertThat(failed.failureCode()).isEqualTo(503);
    assertThat(failed.failure()).isEqualTo("busy ☃");
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
