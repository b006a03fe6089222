package dev.berth.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One connection to the bridge: the addresses its program serves, and the requests it was given and has not answered,
 * each under the reply address the program answers to. Used on the bridge's context.
 */
final class BridgeClient {

  /** A request given to the client, until it answers, it expires, or the client goes. */
  record Pending(String address, Message<Object> message, long deadlineNanos) {
  }

  private final NetSocket socket;
  private final Set<String> addresses = new LinkedHashSet<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private long lastReplyId;
  private boolean refusedOnce;

  BridgeClient(NetSocket socket) {
    this.socket = socket;
  }

  /** Whether it may be given one more request: it holds fewer than {@code maxPending} and reads what it is sent. */
  boolean canTake(int maxPending) {
    return pending.size() < maxPending && !socket.writeQueueFull();
  }

  /**
   * Sends the request as a {@code message} frame, as Vert.x's bridge writes one, with a reply address of its own when
   * the sender waits.
   */
  void deliver(String address, Message<Object> message, long deadlineNanos) {
    JsonObject frame = new JsonObject().put("type", "message").put("address", address);
    if (message.replyAddress() != null) {
      String replyAddress = "berth.reply." + ++lastReplyId;
      pending.put(replyAddress, new Pending(address, message, deadlineNanos));
      frame.put("replyAddress", replyAddress);
    }
    JsonObject headers = new JsonObject();
    message.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
    frame.put("headers", headers);
    if (message.body() != null) {
      frame.put("body", message.body());
    }
    send(BridgeFrames.encode(frame.put("send", message.isSend())));
  }

  /** The request waiting at {@code replyAddress}, now answered; null when none waits there. */
  Pending answered(String replyAddress) {
    return pending.remove(replyAddress);
  }

  boolean waitsAt(String replyAddress) {
    return pending.containsKey(replyAddress);
  }

  /** Removes and returns the requests whose deadline has passed. */
  List<Pending> expired(long nowNanos) {
    List<Pending> expired = new ArrayList<>();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending request = it.next();
      if (request.deadlineNanos() - nowNanos <= 0) {
        expired.add(request);
        it.remove();
      }
    }
    return expired;
  }

  /** Removes and returns every request it holds, oldest first: it has gone. */
  List<Pending> abandoned() {
    List<Pending> abandoned = new ArrayList<>(pending.values());
    pending.clear();
    return abandoned;
  }

  int holding() {
    return pending.size();
  }

  Set<String> addresses() {
    return addresses;
  }

  /**
   * Writes a frame; while the client does not read what it is sent, the bridge stops reading from it too, so that a
   * client flooding bad frames without reading the errors cannot fill the node's memory.
   */
  void send(Buffer frame) {
    socket.write(frame);
    if (socket.writeQueueFull()) {
      socket.pause();
      socket.drainHandler(drained -> socket.resume());
    }
  }

  void close() {
    socket.close();
  }

  /** Whether this is the first refusal on this connection: a stranger's retries are logged once. */
  boolean firstRefusal() {
    boolean first = !refusedOnce;
    refusedOnce = true;
    return first;
  }

  @Override
  public String toString() {
    return socket.remoteAddress().toString();
  }
}
