package dev.berth.gateway;

import dev.berth.config.FailoverConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.DirectReply;
import dev.berth.protocol.DirectRequest;
import dev.berth.protocol.Envelope;
import dev.berth.testing.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where the gateway sends a request, when it sends it again and how it fails, on a fake of the cluster's registry:
 * each "node" is a consumer of the address's per-node address on a local event bus, which answers, fails, or holds
 * the request for ever, as a node whose process is stuck or about to leave would.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ForwarderTest {

  private static final long REQUEST_TIMEOUT_MS = 10_000;
  /** Far below the request timeout, so that an attempt that is never answered is found overdue long before it. */
  private static final int ATTEMPT_TIMEOUT_MS = 300;

  private final FakeServingNodes cluster = new FakeServingNodes();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, List<Message<Object>>> received = new ConcurrentHashMap<>();
  private Vertx vertx;
  private Replicas replicas;
  private Forwarder forwarder;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Envelope.register(vertx.eventBus());
    replicas = Replicas.inCluster(vertx, cluster, Set.of("first", "second"));
    forwarder = started(REQUEST_TIMEOUT_MS);
  }

  private Forwarder started(long requestTimeoutMs) throws Exception {
    Forwarder started = new Forwarder(vertx, replicas, new FailoverConfig(ATTEMPT_TIMEOUT_MS, 200, Set.of()),
      requestTimeoutMs, new GatewayMetrics(registry, GatewayLoad.idle()));
    ReplicasTest.onContext(vertx, started::start).await(5, TimeUnit.SECONDS);
    return started;
  }

  @Test
  @DisplayName("a node that takes the envelope gets requests naming the gateway's reply address, and answers there")
  void directReplies() throws Exception {
    answeringDirect("a", id -> DirectReply.answered(id, BusReply.text("First", "a")));
    cluster.serve("first", "a");

    Forwarder.Delivered asked = forward("GET");
    Forwarder.Delivered answered = forward("GET");

    assertThat(asked.reply()).isEqualTo(answer("a"));
    assertThat(received.get("a")).extracting(Message::body).hasExactlyElementsOfTypes(JsonObject.class,
      DirectRequest.class);
    assertThat(answered.reply()).isInstanceOfSatisfying(BusReply.class,
      reply -> assertThat(reply.body().toString()).isEqualTo("First"));
    assertThat(answered.attempts()).isEqualTo(1);
  }

  @Test
  @DisplayName("answers at the reply address for ids the gateway did not give are dropped: another member that read the"
    + " address in the registry cannot answer for a worker")
  void forgedRepliesDropped() throws Exception {
    answeringDirect("a", id -> {
      vertx.setTimer(300, later -> vertx.eventBus().send(replyAddressSeenBy("a"),
        DirectReply.answered(id, BusReply.text("First", "a"))));
      return null;
    });
    cluster.serve("first", "a");
    forward("GET");

    Future<Forwarder.Delivered> answer = forwardLater("GET");
    Poll.until("a holding the direct request", Duration.ofSeconds(5), () -> received.get("a").size(), n -> n == 2);
    for (long guess = -5_000; guess <= 5_000; guess++) {
      vertx.eventBus().send(replyAddressSeenBy("a"), DirectReply.answered(guess, BusReply.text("forged", "stranger")));
    }

    assertThat(answer.await(10, TimeUnit.SECONDS).reply()).isInstanceOfSatisfying(BusReply.class,
      reply -> assertThat(reply.body().toString()).isEqualTo("First"));
  }

  private String replyAddressSeenBy(String node) {
    return ((DirectRequest) received.get(node).get(received.get(node).size() - 1).body()).replyTo();
  }

  @Test
  @DisplayName("a worker's failure of a direct request reaches the gateway at its reply address: the worker's status")
  void directFailure() throws Exception {
    answeringDirect("a", id -> DirectReply.failed(id, 418, "a teapot"));
    cluster.serve("first", "a");
    forward("GET");

    BusFailure failure = failure(forwardLater("GET"));

    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.FAILED_BY_WORKER);
    assertThat(failure.status()).isEqualTo(418);
    assertThat(failure).hasMessage("worker for address 'first' failed: a teapot");
  }

  @Test
  @DisplayName("a direct request nobody answers fails at the request timeout: 504")
  void directTimeout() throws Exception {
    Forwarder impatient = started(1_000);
    answeringDirect("a", id -> null);
    cluster.serve("first", "a");
    ReplicasTest.onContext(vertx, () -> impatient.forward(List.of("first"), new BusRequest("POST", "/apple", null, null,
      null))).await(10, TimeUnit.SECONDS);

    BusFailure failure = failure(ReplicasTest.onContext(vertx, () -> impatient.forward(List.of("first"),
      new BusRequest("POST", "/apple", null, null, null))));

    assertThat(received.get("a")).extracting(Message::body).hasExactlyElementsOfTypes(JsonObject.class,
      DirectRequest.class);
    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.TIMED_OUT);
    assertThat(failure.status()).isEqualTo(504);
  }

  @Test
  @DisplayName("a node of an older berth, whose envelope is version 1, keeps getting JSON")
  void olderEnvelopeGetsJson() throws Exception {
    vertx.eventBus().consumer(Addresses.onNode("first", "a"), message -> {
      received.computeIfAbsent("a", any -> new CopyOnWriteArrayList<>()).add(message);
      message.reply(answer("a"), new DeliveryOptions().addHeader(Envelope.ACCEPTED, "1"));
    });
    cluster.serve("first", "a");

    forward("GET");
    forward("GET");

    assertThat(received.get("a")).extracting(Message::body).hasExactlyElementsOfTypes(JsonObject.class,
      JsonObject.class);
  }

  @Test
  @DisplayName("a request goes to one node, which answers it in one attempt")
  void oneAttempt() throws Exception {
    answering("a");
    answering("b");
    cluster.serve("first", "a", "b");

    Forwarder.Delivered delivered = forward("GET");

    assertThat(delivered.attempts()).isEqualTo(1);
    assertThat(delivered.reply()).isEqualTo(answer("a"));
    assertThat(retries()).isEmpty();
  }

  @Test
  @DisplayName("a GET whose node leaves before it answers goes to the other node: worker-lost")
  void getMovesWhenItsNodeLeaves() throws Exception {
    holding("a");
    answering("b");
    cluster.serve("first", "a", "b");

    Future<Forwarder.Delivered> answer = forwardLater("GET");
    awaitHeld("a");
    cluster.leave("a");

    Forwarder.Delivered delivered = answer.await(10, TimeUnit.SECONDS);
    assertThat(delivered.attempts()).isEqualTo(2);
    assertThat(delivered.reply()).isEqualTo(answer("b"));
    assertThat(retries()).containsExactly(Map.entry("worker-lost", 1.0));
  }

  @Test
  @DisplayName("a POST whose node leaves before it answers is not sent again, and fails as lost: 502")
  void postIsNotSentTwice() throws Exception {
    holding("a");
    answering("b");
    cluster.serve("first", "a", "b");

    Future<Forwarder.Delivered> answer = forwardLater("POST");
    awaitHeld("a");
    cluster.leave("a");

    BusFailure failure = failure(answer);
    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.WORKER_LOST);
    assertThat(failure.status()).isEqualTo(502);
    assertThat(failure).hasMessage("address 'first': the worker node left before it answered; the request was not sent"
      + " again, as its method is not idempotent");
    assertThat(received.getOrDefault("b", List.of())).isEmpty();
    assertThat(retries()).isEmpty();
  }

  @Test
  @DisplayName("a GET whose node does not answer within the attempt timeout also goes to the other node, which"
    + " answers: overdue, and the stuck node is passed over")
  void overdueGetIsHedged() throws Exception {
    holding("a");
    answering("b");
    cluster.serve("first", "a", "b");

    Forwarder.Delivered delivered = forward("GET");

    assertThat(delivered.attempts()).isEqualTo(2);
    assertThat(delivered.reply()).isEqualTo(answer("b"));
    assertThat(retries()).containsExactly(Map.entry("overdue", 1.0));
  }

  @Test
  @DisplayName("a POST to a node that consumes nothing there goes to another node: not-consumed, whatever the method")
  void notConsumedGoesElsewhere() throws Exception {
    answering("b");
    cluster.serve("first", "gone", "b");

    Forwarder.Delivered delivered = forward("POST");

    assertThat(delivered.reply()).isEqualTo(answer("b"));
    assertThat(retries()).containsExactly(Map.entry("not-consumed", 1.0));
  }

  @Test
  @DisplayName("a request for an address no node serves fails once the wait for a worker is over: 503")
  void noWorker() {
    BusFailure failure = failure(forwardLater("GET"));

    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.NOT_CONSUMED);
    assertThat(failure.status()).isEqualTo(503);
    assertThat(failure).hasMessage("no worker for address 'first'");
  }

  @Test
  @DisplayName("a worker's own failure reaches the client with its status, and is not tried elsewhere")
  void workerFailure() {
    vertx.eventBus().consumer(Addresses.onNode("first", "a"), message -> message.fail(418, "a teapot"));
    answering("b");
    cluster.serve("first", "a", "b");

    BusFailure failure = failure(forwardLater("GET"));

    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.FAILED_BY_WORKER);
    assertThat(failure.status()).isEqualTo(418);
    assertThat(failure).hasMessage("worker for address 'first' failed: a teapot");
    assertThat(received.getOrDefault("b", List.of())).isEmpty();
  }

  @Test
  @DisplayName("a GET whose bridge client died, with no other worker of its address, goes on to the route's next"
    + " address that a worker serves: worker-lost")
  void lostGetFollowsTheRoute() throws Exception {
    losingItsWorker("a");
    cluster.serve("first", "a");
    answering("b", "second");
    cluster.serve("second", "b");

    Forwarder.Delivered delivered = forwardLater("GET", List.of("first", "second")).await(10, TimeUnit.SECONDS);

    assertThat(delivered.attempts()).isEqualTo(2);
    assertThat(delivered.reply()).isEqualTo(answer("b"));
    assertThat(retries()).containsExactly(Map.entry("worker-lost", 1.0));
  }

  @Test
  @DisplayName("a POST whose bridge client died is not sent on along its route: 502")
  void lostPostStays() {
    losingItsWorker("a");
    cluster.serve("first", "a");
    answering("b", "second");
    cluster.serve("second", "b");

    BusFailure failure = failure(forwardLater("POST", List.of("first", "second")));

    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.WORKER_LOST);
    assertThat(failure.status()).isEqualTo(502);
    assertThat(received.getOrDefault("b", List.of())).isEmpty();
  }

  @Test
  @DisplayName("a request whose route's next addresses no worker serves fails as its own address does: 503")
  void routeWithNothingServedAfter() {
    cluster.serve("first", "gone");

    BusFailure failure = failure(forwardLater("GET", List.of("first", "second")));

    assertThat(failure.kind()).isEqualTo(BusFailure.Kind.NOT_CONSUMED);
    assertThat(failure).hasMessage("no worker for address 'first'");
  }

  /** A node whose bridge client disconnects holding each request, the only client of its address there. */
  private void losingItsWorker(String node) {
    vertx.eventBus().consumer(Addresses.onNode("first", node),
      message -> message.fail(BusFailure.WORKER_LOST, "the bridge worker serving 'first' disconnected"));
  }

  /** A node whose consumer answers each request with its own name. */
  private void answering(String node) {
    answering(node, "first");
  }

  private void answering(String node, String address) {
    vertx.eventBus().consumer(Addresses.onNode(address, node), message -> {
      received.computeIfAbsent(node, any -> new CopyOnWriteArrayList<>()).add(message);
      message.reply(answer(node));
    });
  }

  /**
   * A node whose consumer takes envelope version 2: it says so on its answer to a JSON request, and answers a direct
   * one at its reply address with what {@code reply} makes of its id, or not at all when that is null.
   */
  private void answeringDirect(String node, Function<Long, DirectReply> reply) {
    vertx.eventBus().consumer(Addresses.onNode("first", node), message -> {
      received.computeIfAbsent(node, any -> new CopyOnWriteArrayList<>()).add(message);
      if (!(message.body() instanceof DirectRequest direct)) {
        message.reply(answer(node), new DeliveryOptions().addHeader(Envelope.ACCEPTED, Envelope.VERSION));
        return;
      }
      DirectReply answer = reply.apply(direct.id());
      if (answer != null) {
        vertx.eventBus().send(direct.replyTo(), answer);
      }
    });
  }

  /** A node whose consumer takes each request and never answers. */
  private void holding(String node) {
    vertx.eventBus().consumer(Addresses.onNode("first", node),
      message -> received.computeIfAbsent(node, any -> new CopyOnWriteArrayList<>()).add(message));
  }

  private void awaitHeld(String node) {
    dev.berth.testing.Poll.until(node + " holding the request", java.time.Duration.ofSeconds(5),
      () -> received.getOrDefault(node, List.of()).size(), held -> held == 1);
  }

  private static JsonObject answer(String node) {
    return new JsonObject().put("from", node);
  }

  private Future<Forwarder.Delivered> forwardLater(String method) {
    return forwardLater(method, List.of("first"));
  }

  private Future<Forwarder.Delivered> forwardLater(String method, List<String> route) {
    return ReplicasTest.onContext(vertx, () -> forwarder.forward(route, new BusRequest(method, "/apple", null, null, null)));
  }

  private Forwarder.Delivered forward(String method) throws Exception {
    return forwardLater(method).await(10, TimeUnit.SECONDS);
  }

  private static BusFailure failure(Future<Forwarder.Delivered> answer) {
    Throwable failure = assertThatThrownBy(() -> answer.await(10, TimeUnit.SECONDS)).actual();
    return (BusFailure) (failure instanceof ExecutionException ? failure.getCause() : failure);
  }

  /** The retries counted, by reason. */
  private Map<String, Double> retries() {
    Map<String, Double> byReason = new ConcurrentHashMap<>();
    registry.find("berth.gateway.retries").counters().forEach(counter -> byReason.merge(counter.getId().getTag("reason"),
      counter.count(), Double::sum));
    return byReason;
  }
}
