package dev.berth.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link BusRequest} and {@link BusReply} as berth's own Java nodes pass them to each other: length-prefixed fields
 * instead of JSON, so that neither side writes or parses text per message. A gateway sends a request in the envelope
 * only to a worker that said it takes it ({@link #ACCEPTED} on a JSON reply), as a {@link DirectRequest} answered by a
 * {@link DirectReply}; bridges and plain Vert.x consumers keep the JSON of docs/protocol.md. Version 1 (a request
 * answered by Vert.x's reply) is still answered, for gateways of berth 0.1 built before version 2.
 */
public final class Envelope {

  /**
   * A header of a worker's JSON reply: the version of the envelope that node's consumer of the address also takes. A
   * gateway sends the envelope only to a consumer of {@link #VERSION}.
   */
  public static final String ACCEPTED = "berth-envelope";
  /** Requests that name their reply address: {@link DirectRequest}, {@link DirectReply}. */
  public static final String VERSION = "2";

  private static final int ABSENT = -1;

  private Envelope() {
  }

  /** Call once per Vert.x that sends or receives envelopes, before it does. */
  public static void register(EventBus bus) {
    bus.registerDefaultCodec(BusRequest.class, new RequestCodec());
    bus.registerDefaultCodec(BusReply.class, new ReplyCodec());
    bus.registerDefaultCodec(DirectRequest.class, new DirectRequestCodec());
    bus.registerDefaultCodec(DirectReply.class, new DirectReplyCodec());
  }

  /** A codec of one of berth's own types, known by its name on the wire, as every codec that is not Vert.x's own. */
  abstract static class OwnCodec<T> implements MessageCodec<T, T> {

    private final String name;

    OwnCodec(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  static final class RequestCodec extends OwnCodec<BusRequest> {

    RequestCodec() {
      super("berth.request.v1");
    }

    @Override
    public void encodeToWire(Buffer wire, BusRequest request) {
      writeRequest(wire, request);
    }

    @Override
    public BusRequest decodeFromWire(int position, Buffer wire) {
      return readRequest(new Reader(wire, position));
    }

    /** On one Vert.x the receiver gets its own body, as it would get its own copy of a JSON request. */
    @Override
    public BusRequest transform(BusRequest request) {
      return copy(request);
    }
  }

  static final class DirectRequestCodec extends OwnCodec<DirectRequest> {

    DirectRequestCodec() {
      super("berth.request.v2");
    }

    @Override
    public void encodeToWire(Buffer wire, DirectRequest direct) {
      writeText(wire, direct.replyTo());
      wire.appendLong(direct.id());
      writeRequest(wire, direct.request());
    }

    @Override
    public DirectRequest decodeFromWire(int position, Buffer wire) {
      Reader in = new Reader(wire, position);
      return new DirectRequest(in.text(), in.longInteger(), readRequest(in));
    }

    @Override
    public DirectRequest transform(DirectRequest direct) {
      return new DirectRequest(direct.replyTo(), direct.id(), copy(direct.request()));
    }
  }

  private static void writeRequest(Buffer wire, BusRequest request) {
    writeText(wire, request.method());
    writeText(wire, request.path());
    writeText(wire, request.query());
    wire.appendInt(request.headers().size());
    request.headers().forEach((name, values) -> {
      writeText(wire, name);
      wire.appendInt(values.size());
      values.forEach(value -> writeText(wire, value));
    });
    writeBytes(wire, request.body());
  }

  private static BusRequest readRequest(Reader in) {
    String method = in.text();
    String path = in.text();
    String query = in.text();
    int headerCount = in.integer();
    Map<String, List<String>> headers = new LinkedHashMap<>(Math.max(4, headerCount * 2));
    for (int header = 0; header < headerCount; header++) {
      String name = in.text();
      int valueCount = in.integer();
      List<String> values = new ArrayList<>(valueCount);
      for (int value = 0; value < valueCount; value++) {
        values.add(in.text());
      }
      headers.put(name, values);
    }
    return new BusRequest(method, path, query, headers, in.bytes());
  }

  private static BusRequest copy(BusRequest request) {
    return new BusRequest(request.method(), request.path(), request.query(), request.headers(), request.body().copy());
  }

  static final class ReplyCodec extends OwnCodec<BusReply> {

    ReplyCodec() {
      super("berth.reply.v1");
    }

    @Override
    public void encodeToWire(Buffer wire, BusReply reply) {
      writeReply(wire, reply);
    }

    @Override
    public BusReply decodeFromWire(int position, Buffer wire) {
      return readReply(new Reader(wire, position));
    }

    @Override
    public BusReply transform(BusReply reply) {
      return copy(reply);
    }
  }

  /** The request's id, then the failure code, 0 for a reply, then the reply's fields or the failure's description. */
  static final class DirectReplyCodec extends OwnCodec<DirectReply> {

    DirectReplyCodec() {
      super("berth.reply.v2");
    }

    @Override
    public void encodeToWire(Buffer wire, DirectReply direct) {
      wire.appendLong(direct.id()).appendInt(direct.failureCode());
      if (direct.succeeded()) {
        writeReply(wire, direct.reply());
      } else {
        writeText(wire, direct.failure());
      }
    }

    @Override
    public DirectReply decodeFromWire(int position, Buffer wire) {
      Reader in = new Reader(wire, position);
      long id = in.longInteger();
      int failureCode = in.integer();
      return failureCode == 0 ? DirectReply.answered(id, readReply(in)) : DirectReply.failed(id, failureCode, in.text());
    }

    @Override
    public DirectReply transform(DirectReply direct) {
      return direct.succeeded() ? DirectReply.answered(direct.id(), copy(direct.reply())) : direct;
    }
  }

  private static void writeReply(Buffer wire, BusReply reply) {
    wire.appendInt(reply.status());
    writeText(wire, reply.contentType());
    writeText(wire, reply.servedBy());
    writeBytes(wire, reply.body());
  }

  private static BusReply readReply(Reader in) {
    int status = in.integer();
    String contentType = in.text();
    String servedBy = in.text();
    return new BusReply(status, contentType, in.bytes(), servedBy);
  }

  private static BusReply copy(BusReply reply) {
    return new BusReply(reply.status(), reply.contentType(), reply.body().copy(), reply.servedBy());
  }

  private static void writeBytes(Buffer wire, Buffer bytes) {
    wire.appendInt(bytes.length()).appendBuffer(bytes);
  }

  private static void writeText(Buffer wire, String text) {
    if (text == null) {
      wire.appendInt(ABSENT);
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    wire.appendInt(bytes.length).appendBytes(bytes);
  }

  /** Reads the fields of one envelope in order from where the event bus says its body starts. */
  private static final class Reader {
    private final Buffer wire;
    private int position;

    Reader(Buffer wire, int position) {
      this.wire = wire;
      this.position = position;
    }

    int integer() {
      int value = wire.getInt(position);
      position += Integer.BYTES;
      return value;
    }

    long longInteger() {
      long value = wire.getLong(position);
      position += Long.BYTES;
      return value;
    }

    String text() {
      int length = integer();
      if (length == ABSENT) {
        return null;
      }
      String text = wire.getString(position, position + length);
      position += length;
      return text;
    }

    Buffer bytes() {
      int length = integer();
      Buffer bytes = wire.getBuffer(position, position + length);
      position += length;
      return bytes;
    }
  }
}
