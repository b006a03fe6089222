package dev.berth.protocol;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.UUID;

/**
 * The event-bus addresses berth nodes use among themselves, besides the ones the routes name. Every worker also
 * consumes its address on its own node, {@code first@<node id>}, so that a gateway can send a request to the node it
 * chose instead of whichever one Vert.x picks.
 */
public final class Addresses {

  /** Where a worker node announces that it is draining: gateways stop choosing it before its consumers go. */
  public static final String DRAINING = "__berth.draining";
  /**
   * A node that serves requests answers it on its own node, {@code __berth.hello@<node id>}, with nothing: a gateway asks
   * it of a node before it sends the node requests, so that the connections both ways are up before the first request
   * needs them.
   */
  public static final String HELLO = "__berth.hello";

  private Addresses() {
  }

  /**
   * Answers gateways' {@link #HELLO} to this node, from the caller's context: the one that answers requests, so that
   * the connection its answer opens is on the event loop its replies are written from.
   */
  public static MessageConsumer<Object> answerHellos(EventBus bus, String nodeId) {
    return bus.consumer(onNode(HELLO, nodeId), hello -> hello.reply(null));
  }

  /**
   * A new address for the direct replies to one gateway instance's requests ({@link DirectRequest}),
   * {@code __berth.replies.<random UUID>}: new to every node, whose first send there asks the cluster for it.
   */
  public static String newReplyAddress() {
    return "__berth.replies." + UUID.randomUUID();
  }

  /** {@code address} as served by one node only. */
  public static String onNode(String address, String nodeId) {
    return address + "@" + nodeId;
  }
}
