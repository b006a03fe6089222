package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BusMessagesTest {

  @Test
  @DisplayName("a request is written as documented in docs/protocol.md, with a standard Base64 body")
  void requestJson() {
    BusRequest request = new BusRequest("POST", "/apple/pie", "size=large", Map.of("x-trace", List.of("t-1")),
      Buffer.buffer(new byte[] {(byte) 0xfb, (byte) 0xff}));
    assertThat(request.toJson()).isEqualTo(new JsonObject()
      .put("method", "POST").put("path", "/apple/pie").put("query", "size=large")
      .put("headers", new JsonObject().put("x-trace", new JsonArray().add("t-1")))
      .put("bodyBase64", "+/8="));
  }

  @Test
  @DisplayName("an empty query and body are left out of a request")
  void requestWithoutQueryOrBody() {
    JsonObject json = new BusRequest("GET", "/a", "", Map.of(), null).toJson();
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("method", "path", "headers");
  }

  @Test
  @DisplayName("a request survives the round trip through JSON")
  void requestRoundTrip() {
    BusRequest request = new BusRequest("PUT", "/x", "q=1", Map.of("a", List.of("1", "2")), Buffer.buffer("hi"));
    BusRequest back = BusRequest.fromJson(request.toJson());
    assertThat(back.method()).isEqualTo("PUT");
    assertThat(back.query()).isEqualTo("q=1");
    assertThat(back.headers()).isEqualTo(Map.of("a", List.of("1", "2")));
    assertThat(back.body().toString()).isEqualTo("hi");
  }

  @Test
  @DisplayName("a request without method, of the wrong type or with a broken body is refused with a reason")
  void malformedRequests() {
    assertThatThrownBy(() -> BusRequest.fromJson("GET /a")).hasMessage("a request must be a JSON object");
    assertThatThrownBy(() -> BusRequest.fromJson(new JsonObject().put("path", "/a")))
      .hasMessage("missing field \"method\"");
    assertThatThrownBy(() -> BusRequest.fromJson(new JsonObject().put("method", 1).put("path", "/a")))
      .hasMessage("field \"method\" must be a string");
    assertThatThrownBy(() -> BusRequest.fromJson(new JsonObject().put("method", "GET").put("path", "/a")
      .put("headers", new JsonObject().put("x", "y"))))
      .hasMessage("field \"headers.x\" must be an array");
    assertThatThrownBy(() -> BusRequest.fromJson(new JsonObject().put("method", "GET").put("path", "/a").put("bodyBase64", "*")))
      .isInstanceOf(ProtocolException.class)
      .hasMessageStartingWith("\"bodyBase64\" is not standard Base64");
  }

  @Test
  @DisplayName("a text reply carries body, a binary one bodyBase64, and both read back the same bytes")
  void replyJson() {
    BusReply text = BusReply.text("First", "node-1");
    assertThat(text.toJson()).isEqualTo(new JsonObject()
      .put("status", 200).put("contentType", "text/plain; charset=utf-8").put("servedBy", "node-1").put("body", "First"));
    BusReply binary = new BusReply(201, "application/octet-stream", Buffer.buffer(new byte[] {0, 1}), "node-2");
    assertThat(binary.toJsonBinary().getString("bodyBase64")).isEqualTo("AAE=");
    assertThat(BusReply.fromJson(binary.toJsonBinary()).body().getBytes()).containsExactly(0, 1);
    assertThat(BusReply.fromJson(text.toJson()).body().toString()).isEqualTo("First");
  }

  @Test
  @DisplayName("a reply with only status and servedBy gets the default content type and an empty body")
  void minimalReply() {
    BusReply reply = BusReply.fromJson(new JsonObject().put("status", 204).put("servedBy", "w"));
    assertThat(reply.contentType()).isEqualTo(BusReply.TEXT_PLAIN);
    assertThat(reply.body().length()).isZero();
  }

  @Test
  @DisplayName("a reply without status or servedBy, out of range, or with both bodies is refused with a reason")
  void malformedReplies() {
    assertThatThrownBy(() -> BusReply.fromJson(new JsonObject().put("servedBy", "w")))
      .hasMessage("missing field \"status\"");
    assertThatThrownBy(() -> BusReply.fromJson(new JsonObject().put("status", 200)))
      .hasMessage("missing field \"servedBy\"");
    assertThatThrownBy(() -> BusReply.fromJson(new JsonObject().put("status", "200").put("servedBy", "w")))
      .hasMessage("field \"status\" must be an integer");
    assertThatThrownBy(() -> BusReply.fromJson(new JsonObject().put("status", 700).put("servedBy", "w")))
      .hasMessage("status must be in 100..599, was 700");
    assertThatThrownBy(() -> BusReply.fromJson(new JsonObject().put("status", 200).put("servedBy", "w")
      .put("body", "a").put("bodyBase64", "YQ==")))
      .hasMessage("a reply carries \"body\" or \"bodyBase64\", not both");
  }
}
