package dev.berth.worker;

import dev.berth.config.WorkerConfig;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.DirectReply;
import dev.berth.protocol.DirectRequest;
import dev.berth.protocol.Envelope;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WorkerVerticleTest {

  private static final String REPLY_ADDRESS = "__berth.replies.test";

  @Test
  @DisplayName("a direct answer that finds no consumer at the reply address is sent again until one is there, as when a"
    + " merge lost the gateway's address from the registry for a moment")
  void directAnswerWaitsForTheReplyAddress(Vertx vertx) throws Exception {
    Envelope.register(vertx.eventBus());
    WorkerConfig config = new WorkerConfig("first", "First", 0, 1, null, null, WorkerConfig.DEFAULT_TIMEOUT_MS);
    vertx.deployVerticle(new WorkerVerticle(config, WorkerHandlers.create(config), "worker", null, new AtomicInteger(),
      WorkerMetrics.none().of("first"))).await(5, TimeUnit.SECONDS);

    vertx.eventBus().send("first", new DirectRequest(REPLY_ADDRESS, 42, new BusRequest("GET", "/a", null, null, null)));
    Promise<DirectReply> answered = Promise.promise();
    vertx.setTimer(500, later -> vertx.eventBus().<DirectReply>consumer(REPLY_ADDRESS,
      answer -> answered.tryComplete(answer.body())));

    DirectReply answer = answered.future().await(10, TimeUnit.SECONDS);
    assertThat(answer.id()).isEqualTo(42);
    assertThat(answer.reply().body().toString()).isEqualTo("First");
    assertThat(answer.reply().servedBy()).isEqualTo("worker");
  }
}
