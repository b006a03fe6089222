package dev.berth.protocol;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each failure the gateway meets on the bus: what it lets the gateway do, and what the client gets. */
class BusFailureTest {

  @Test
  @DisplayName("nothing consumed the request, on the bus or at a bridge node: any request may go elsewhere; 503")
  void notConsumed() {
    for (Throwable cause : new Throwable[] {new ReplyException(ReplyFailure.NO_HANDLERS, "none"),
      new ReplyException(ReplyFailure.RECIPIENT_FAILURE, BusFailure.NOT_DELIVERED, "no bridge client")}) {
      BusFailure failure = BusFailure.of("first", cause, 3_000);
      assertThat(failure.kind()).isEqualTo(BusFailure.Kind.NOT_CONSUMED);
      assertThat(failure.kind().retry()).isEqualTo(BusFailure.Retry.ANY);
      assertThat(failure.status()).isEqualTo(503);
      assertThat(failure).hasMessage("no worker for address 'first'");
    }
  }

  @Test
  @DisplayName("the worker that held the request went away: a request that may repeat goes elsewhere; 502")
  void workerLost() {
    BusFailure failure = BusFailure.of("first", new ReplyException(ReplyFailure.RECIPIENT_FAILURE,
      BusFailure.WORKER_LOST, "the bridge worker went away"), 3_000);
    assertThat(failure.kind().retry()).isEqualTo(BusFailure.Retry.IF_REPEATABLE);
    assertThat(failure.status()).isEqualTo(502);
    assertThat(failure.notSentAgain()).hasMessage("address 'first': the bridge worker went away; the request was not"
      + " sent again, as its method is not idempotent");
  }

  @Test
  @DisplayName("no reply in time: 504, naming the request's timeout")
  void timedOut() {
    BusFailure failure = BusFailure.of("first", new ReplyException(ReplyFailure.TIMEOUT, "timed out"), 3_000);
    assertThat(failure.kind().retry()).isEqualTo(BusFailure.Retry.NONE);
    assertThat(failure.status()).isEqualTo(504);
    assertThat(failure).hasMessage("no reply from address 'first' within 3000 ms");
  }

  @Test
  @DisplayName("a worker's failure: its code when it is an HTTP error status, 500 otherwise")
  void failedByWorker() {
    assertThat(BusFailure.of("first", new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 418, "a teapot"), 3_000))
      .hasMessage("worker for address 'first' failed: a teapot")
      .extracting(BusFailure::status).isEqualTo(418);
    assertThat(BusFailure.of("first", new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 42, "odd"), 3_000).status())
      .isEqualTo(500);
    assertThat(BusFailure.of("first", new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 302, "moved"), 3_000)
      .status()).isEqualTo(500);
  }

  @Test
  @DisplayName("anything else the bus throws, and a reply that breaks the protocol: 502")
  void unreachable() {
    assertThat(BusFailure.of("first", new VertxException("connection reset", true), 3_000))
      .hasMessage("could not reach address 'first': connection reset")
      .extracting(BusFailure::status).isEqualTo(502);
    assertThat(BusFailure.invalidReply("first", "no status").status()).isEqualTo(502);
  }

  @Test
  @DisplayName("a failure already known keeps its kind and message")
  void known() {
    BusFailure lost = BusFailure.workerLost("first", "the worker node left before it answered");
    assertThat(BusFailure.of("first", lost, 3_000)).isSameAs(lost);
  }
}
