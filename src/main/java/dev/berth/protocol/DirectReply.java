package dev.berth.protocol;

/**
 * The answer to the {@link DirectRequest} with the same {@code id}: the worker's reply, or how it failed the request
 * (the code and description it would give {@code message.fail}).
 */
public record DirectReply(long id, BusReply reply, int failureCode, String failure) {

  public static DirectReply answered(long id, BusReply reply) {
    return new DirectReply(id, reply, 0, null);
  }

  public static DirectReply failed(long id, int failureCode, String failure) {
    return new DirectReply(id, null, failureCode, failure);
  }

  public boolean succeeded() {
    return reply != null;
  }
}
