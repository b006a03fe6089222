package dev.berth.gateway;

import dev.berth.protocol.Addresses;
import dev.berth.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which node the gateway picks for a request, on a fake of the cluster's registry. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReplicasTest {

  private static final Duration BOUND = Duration.ofSeconds(5);

  private final FakeServingNodes cluster = new FakeServingNodes();
  private Replicas replicas;

  @BeforeEach
  void watchFirst(Vertx vertx) {
    replicas = Replicas.inCluster(vertx, cluster, Set.of("first"));
    replicas.greetFrom(vertx.getOrCreateContext());
    cluster.serve("first", "a", "b");
    // Nothing consumes their hello on this bus: each is greeted as soon as that is known.
    Poll.until("a and b greeted", BOUND, replicas::passedOver, Set::isEmpty);
  }

  @Test
  @DisplayName("the routed addresses are watched, and their nodes are picked in turn")
  void inTurn() {
    assertThat(cluster.watched()).containsExactly("first");
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picked.add(replicas.pick("first", List.of()));
    }
    assertThat(picked).containsExactly("a", "b", "a", "b");
  }

  @Test
  @DisplayName("a node already tried is not picked again; none is left, none is picked")
  void notTwice() {
    assertThat(replicas.pick("first", List.of("a"))).isEqualTo("b");
    assertThat(replicas.pick("first", List.of("b"))).isEqualTo("a");
    assertThat(replicas.pick("first", List.of("a", "b"))).isNull();
    assertThat(replicas.pick("second", List.of())).isNull();
    assertThat(replicas.serves("second")).isFalse();
  }

  @Test
  @DisplayName("a draining node is passed over, and serves nothing once it is the last")
  void draining(Vertx vertx) {
    vertx.eventBus().publish(Addresses.DRAINING, "a");
    Poll.until("a passed over", BOUND, replicas::passedOver, passed -> passed.contains("a"));

    assertThat(List.of(replicas.pick("first", List.of()), replicas.pick("first", List.of()))).containsOnly("b");
    vertx.eventBus().publish(Addresses.DRAINING, "b");
    Poll.until("b passed over", BOUND, replicas::passedOver, passed -> passed.contains("b"));
    assertThat(replicas.serves("first")).isFalse();
    assertThat(replicas.pick("first", List.of())).isNull();
  }

  @Test
  @DisplayName("once the node's gateways have drained, a drain notice finds no consumer left on it to be discarded by")
  void stopsHearingDrains(Vertx vertx, VertxTestContext test) {
    replicas.stopHearingDrains();
    vertx.eventBus().request(Addresses.DRAINING, "a").onComplete(test.failing(failure -> test.verify(() -> {
      assertThat(failure).isInstanceOfSatisfying(ReplyException.class,
        noOne -> assertThat(noOne.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
      assertThat(replicas.passedOver()).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("a suspected node is passed over while another is left, picked when it is the only one, and forgiven"
    + " once it answers")
  void suspected() {
    replicas.suspect("a");
    assertThat(List.of(replicas.pick("first", List.of()), replicas.pick("first", List.of()))).containsOnly("b");
    assertThat(replicas.pick("first", List.of("b"))).isEqualTo("a");
    assertThat(replicas.passedOver()).containsExactly("a");

    replicas.answered("a");
    assertThat(replicas.passedOver()).isEmpty();
  }

  @Test
  @DisplayName("a node newly listed is asked its hello once, and passed over until it answers: picked only when no"
    + " greeted node is left, before a suspected one; in turn with the others once it has answered")
  void greetsNewNodes(Vertx vertx) throws Exception {
    List<Message<Object>> hellos = new CopyOnWriteArrayList<>();
    vertx.eventBus().consumer(Addresses.onNode(Addresses.HELLO, "c"), hellos::add).completion()
      .await(5, TimeUnit.SECONDS);

    cluster.serve("first", "a", "b", "c");
    Poll.until("c asked its hello", BOUND, () -> hellos, asked -> asked.size() == 1);

    assertThat(replicas.passedOver()).containsExactly("c");
    assertThat(IntStream.range(0, 6).mapToObj(i -> replicas.pick("first", List.of()))).doesNotContain("c");
    replicas.suspect("b");
    assertThat(replicas.pick("first", List.of("a"))).as("not greeted, before suspected").isEqualTo("c");
    replicas.answered("b");

    hellos.get(0).reply(null);
    Poll.until("c greeted", BOUND, replicas::passedOver, Set::isEmpty);
    assertThat(IntStream.range(0, 3).mapToObj(i -> replicas.pick("first", List.of())))
      .containsExactlyInAnyOrder("a", "b", "c");
    cluster.serve("first", "a", "b", "c");
    assertThat(hellos).as("hellos asked of c").hasSize(1);
  }

  @Test
  @DisplayName("a node that never answers its hello is passed over no longer than the hello's bound")
  void unansweredHello(Vertx vertx) throws Exception {
    vertx.eventBus().consumer(Addresses.onNode(Addresses.HELLO, "c"), silent -> { }).completion()
      .await(5, TimeUnit.SECONDS);

    cluster.serve("first", "a", "b", "c");

    assertThat(replicas.passedOver()).containsExactly("c");
    Poll.until("c routed to", Duration.ofMillis(Replicas.HELLO_MS).plus(BOUND), replicas::passedOver, Set::isEmpty);
  }

  @Test
  @DisplayName("a request sent to a node goes to that node's own address, or to the address itself once the node"
    + " turned out to consume it without one (a plain Vert.x consumer)")
  void targets() {
    assertThat(replicas.target("first", "a")).isEqualTo(Addresses.onNode("first", "a"));
    assertThat(replicas.withoutOwnAddress("first", "a")).as("news").isTrue();
    assertThat(replicas.withoutOwnAddress("first", "a")).as("known").isFalse();
    assertThat(replicas.target("first", "a")).isEqualTo("first");
    assertThat(replicas.target("first", "b")).isEqualTo(Addresses.onNode("first", "b"));
  }

  @Test
  @DisplayName("a node's consumer that said it takes the envelope is remembered per address, and forgotten when the"
    + " node leaves")
  void envelopeTakers() {
    assertThat(replicas.takesEnvelope("first", "a")).isFalse();

    replicas.tookEnvelope("first", "a");

    assertThat(replicas.takesEnvelope("first", "a")).isTrue();
    assertThat(replicas.takesEnvelope("second", "a")).as("another address of the node").isFalse();
    cluster.leave("a");
    assertThat(replicas.takesEnvelope("first", "a")).as("after the node left").isFalse();
  }

  @Test
  @DisplayName("a request for an address no node serves waits for one, and gets the first that comes")
  void awaitsANode(Vertx vertx) throws Exception {
    Future<String> waiting = onContext(vertx, () -> replicas.awaitPick("second", List.of(), 5_000));
    cluster.serve("second", "c");
    assertThat(waiting.await(5, TimeUnit.SECONDS)).isEqualTo("c");
  }

  @Test
  @DisplayName("a request for an address no node serves gets none once its wait is over")
  void waitsInVain(Vertx vertx) throws Exception {
    Future<String> waiting = onContext(vertx, () -> replicas.awaitPick("second", List.of(), 100));
    assertThat(waiting.await(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  @DisplayName("a node that leaves is forgotten, and those listening on a context hear of it there")
  void nodeLeaves(Vertx vertx) throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    onContext(vertx, () -> {
      replicas.onNodeLoss(heard::add);
      return Future.succeededFuture();
    }).await(5, TimeUnit.SECONDS);
    replicas.suspect("a");

    cluster.leave("a");

    Poll.until("a heard of", BOUND, () -> heard, left -> left.contains("a"));
    assertThat(replicas.passedOver()).isEmpty();
    assertThat(replicas.pick("first", List.of())).isEqualTo("b");
  }

  /** Runs {@code action} on a Vert.x context, as the gateway's event loop runs it. */
  static <T> Future<T> onContext(Vertx vertx, Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(run -> action.get().onComplete(done));
    return done.future();
  }
}
