package dev.berth.bridge;

import dev.berth.config.BridgeConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.testing.BridgeSocket;
import dev.berth.testing.FreePorts;
import dev.berth.worker.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BridgeDrainTest {

  private static final String TOKEN = "drain-token-0123456789";
  private static final String NODE_ID = "node-1";

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName("a drained bridge node stops consuming the address, but keeps its own copy: a gateway's request that"
    + " arrives there late fails back at once as not delivered, which the gateway sends elsewhere")
  void lateRequestAtNodeAddressFailsBack() throws Exception {
    int port = FreePorts.next();
    BridgeVerticle bridge = new BridgeVerticle(new BridgeConfig("127.0.0.1", port, List.of("first"), TOKEN,
      BridgeConfig.DEFAULT_MAX_FRAME_BYTES, 5_000, BridgeConfig.DEFAULT_MAX_PENDING_PER_CLIENT,
      BridgeConfig.DEFAULT_HANDOVER_MS), NODE_ID, new AtomicInteger(), new SimpleMeterRegistry(), WorkerMetrics.none());
    await(vertx.deployVerticle(bridge));
    try (BridgeSocket client = new BridgeSocket(port)) {
      assertThat(client.register("first", TOKEN).getString("type")).isEqualTo("registered");

      await(bridge.drain(5_000));

      ReplyException late = failure(Addresses.onNode("first", NODE_ID));
      assertThat(late.failureCode()).isEqualTo(BusFailure.NOT_DELIVERED);
      assertThat(late.getMessage()).isEqualTo("no bridge client serves 'first' on this node");
      assertThat(failure("first").failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
    }
  }

  private ReplyException failure(String address) throws Exception {
    try {
      await(vertx.eventBus().request(address, new JsonObject().put("method", "GET").put("path", "/a")));
    } catch (ExecutionException failed) {
      return (ReplyException) failed.getCause();
    }
    throw new AssertionError("a request to " + address + " was answered");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
