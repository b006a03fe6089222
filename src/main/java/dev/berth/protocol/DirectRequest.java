package dev.berth.protocol;

/**
 * A request in berth's envelope that names where its answer goes: a gateway's own reply address, which a worker sends
 * a {@link DirectReply} with the same {@code id} to. A gateway keeps one reply address for all its requests, so no
 * request opens and closes a reply consumer of its own (Vert.x's request-reply does, with a timer and a random address).
 */
public record DirectRequest(String replyTo, long id, BusRequest request) {
}
