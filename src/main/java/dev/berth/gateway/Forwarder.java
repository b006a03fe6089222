package dev.berth.gateway;

import dev.berth.config.FailoverConfig;
import dev.berth.protocol.Addresses;
import dev.berth.protocol.BusFailure;
import dev.berth.protocol.BusReply;
import dev.berth.protocol.BusRequest;
import dev.berth.protocol.DirectReply;
import dev.berth.protocol.DirectRequest;
import dev.berth.protocol.Envelope;
import dev.berth.runtime.Sweep;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sends one gateway instance's requests to worker nodes it picks itself, so that it knows where each one is. A request
 * is sent to one replica; when that node leaves the cluster, or the attempt outlives its deadline, or nothing consumed
 * it, a request that may be sent twice goes to another replica within the request timeout, while earlier attempts may
 * still answer. A request that fails for good fails with its {@link BusFailure}. A node's consumer that said it takes
 * berth's {@link Envelope} gets {@link DirectRequest}s, answered at this instance's one reply address; others get JSON
 * by Vert.x's request-reply. Runs on the instance's event loop.
 */
final class Forwarder {

  /** How often attempts are checked against their deadline. */
  static final long SWEEP_MS = 50;

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  private final Vertx vertx;
  private final Replicas replicas;
  private final FailoverConfig failover;
  private final long requestTimeoutMs;
  private final GatewayMetrics metrics;
  private final RetryBudget budget = new RetryBudget();
  /** Attempts not yet settled, oldest first. */
  private final Set<Attempt> pending = new LinkedHashSet<>();
  private Sweep deadlines;
  /** Where workers send the {@link DirectReply}s to this instance's requests. */
  private final String replyAddress = Addresses.newReplyAddress();
  private MessageConsumer<DirectReply> replies;
  /** Direct attempts not yet settled, by their id. */
  private final Map<Long, Attempt> awaitingReply = new HashMap<>();
  private final ReplyIds ids = new ReplyIds();

  /** A request's answer (a {@link BusReply}, or the JSON of one) and how many attempts it took. */
  record Delivered(Object reply, int attempts) {
  }

  Forwarder(Vertx vertx, Replicas replicas, FailoverConfig failover, long requestTimeoutMs, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.replicas = replicas;
    this.failover = failover;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /** Call on the instance's context; done once its reply address is known cluster-wide. */
  Future<Void> start() {
    deadlines = new Sweep(vertx, SWEEP_MS, this::sweep);
    replicas.onNodeLoss(this::nodeLost);
    replicas.greetFrom(vertx.getOrCreateContext());
    replies = vertx.eventBus().consumer(replyAddress, reply -> replied(reply.body()));
    return replies.completion();
  }

  void stop() {
    deadlines.stop();
    replies.unregister();
  }

  /** @param route the request's address, then those it may go on to when no worker of that one is left */
  Future<Delivered> forward(List<String> route, BusRequest message) {
    budget.deposit();
    Request request = new Request(route, message,
      BusRequest.idempotent(message.method()) || failover.retryAnyMethod().contains(route.get(0)));
    attempt(request, null);
    return request.answer.future();
  }

  /** One request on its way: where it was sent, how many attempts are out, and the one answer. */
  private final class Request {
    final List<String> route;
    /** Where on its route the request is. */
    int routed;
    String address;
    final BusRequest message;
    /** The message in JSON, made for the first node that is sent it so. */
    JsonObject json;
    final boolean repeatable;
    final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
    final List<String> tried = new ArrayList<>(2);
    /** Attempts made, a resend to a node tried before included. */
    int attempts;
    final Promise<Delivered> answer = Promise.promise();
    /** The request's span, for attempts sent later from a timer or a membership event; root when none is made. */
    final Context trace = Context.current();
    int outstanding;
    boolean waitedForWorker;
    BusFailure lastFailure;

    Request(List<String> route, BusRequest message, boolean repeatable) {
      this.route = route;
      this.address = route.get(0);
      this.message = message;
      this.repeatable = repeatable;
    }

    long remainingMs() {
      return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    JsonObject json() {
      if (json == null) {
        json = message.toJson();
      }
      return json;
    }
  }

  /** One sending of a request to one node; a second attempt elsewhere is started at most once per attempt. */
  private static final class Attempt {
    final Request request;
    final String address;
    final String node;
    /** Sent in JSON to a node's own address: its reply may say that the envelope is taken there. */
    final boolean asksForEnvelope;
    final long startNanos = System.nanoTime();
    boolean overdue;
    /** A direct attempt's id, 0 for one sent by Vert.x's request-reply. */
    long id;

    Attempt(Request request, String node, boolean asksForEnvelope) {
      this.request = request;
      this.address = request.address;
      this.node = node;
      this.asksForEnvelope = asksForEnvelope;
    }
  }

  /** Sends {@code request} to a node it was not sent to yet; {@code retry} says why, null for its first attempt. */
  private void attempt(Request request, GatewayMetrics.Retry retry) {
    if (request.answer.future().isComplete()) {
      return;
    }
    long remainingMs = request.remainingMs();
    String node = remainingMs > 0 ? replicas.pick(request.address, request.tried) : null;
    if (node == null && remainingMs > 0 && request.outstanding == 0 && movedAlongRoute(request)) {
      node = replicas.pick(request.address, request.tried);
    }
    if (node != null) {
      send(request, node, remainingMs, retry);
    } else if (request.outstanding > 0) {
      return;
    } else if (!request.waitedForWorker && remainingMs > 0) {
      request.waitedForWorker = true;
      replicas.awaitPick(request.address, request.tried, Math.min(failover.awaitWorkerMs(), remainingMs))
        .onSuccess(found -> {
          if (found != null) {
            send(request, found, request.remainingMs(), retry);
          } else {
            finish(request);
          }
        });
    } else {
      finish(request);
    }
  }

  /**
   * A request that no worker of its address is left to take goes on to the next address of its route that a worker
   * serves. It gets here only when it may be sent again: on its first attempt, when it was not consumed, or when it
   * may repeat.
   */
  private boolean movedAlongRoute(Request request) {
    for (int next = request.routed + 1; next < request.route.size(); next++) {
      if (replicas.serves(request.route.get(next))) {
        request.routed = next;
        request.address = request.route.get(next);
        request.tried.clear();
        return true;
      }
    }
    return false;
  }

  private void send(Request request, String node, long remainingMs, GatewayMetrics.Retry retry) {
    if (remainingMs <= 0 || request.attempts > 0 && !budget.withdraw()) {
      if (request.outstanding == 0) {
        finish(request);
      }
      return;
    }
    if (request.attempts > 0) {
      metrics.retried(request.address, retry);
    }
    request.attempts++;
    request.tried.add(node);
    request.outstanding++;
    String target = replicas.target(request.address, node);
    boolean direct = replicas.takesEnvelope(request.address, node);
    Attempt attempt = new Attempt(request, node, !direct && !target.equals(request.address));
    pending.add(attempt);
    deadlines.needed();
    // Without spans (exporter none) there is nothing to carry: no context to attach on every send.
    try (Scope traced = request.trace == Context.root() ? Scope.noop() : request.trace.makeCurrent()) {
      if (direct) {
        sendDirect(attempt, target);
      } else {
        vertx.eventBus().<Object>request(target, request.json(), new DeliveryOptions().setSendTimeout(remainingMs))
          .onComplete(result -> settle(attempt, result));
      }
    }
  }

  /**
   * Sends the attempt to a node's own address, its reply due at this instance's reply address: no reply consumer, timer
   * or random address of its own per request (a tenth of a three-JVM cluster's CPU per request), its deadline the sweep's.
   */
  private void sendDirect(Attempt attempt, String target) {
    do {
      attempt.id = ids.next();
    } while (awaitingReply.putIfAbsent(attempt.id, attempt) != null);
    vertx.eventBus().sender(target).write(new DirectRequest(replyAddress, attempt.id, attempt.request.message))
      .onFailure(unsent -> {
        // As request-reply does: a refusal (no consumer) fails the attempt at once; a connection that broke may have
        // carried it, and the node's loss or the attempt's deadline decides.
        if (unsent instanceof ReplyException) {
          failed(attempt, unsent);
        }
      });
  }

  private void replied(DirectReply reply) {
    Attempt attempt = awaitingReply.get(reply.id());
    if (attempt == null) {
      return;
    }
    if (reply.succeeded()) {
      answered(attempt, reply.reply());
    } else {
      failed(attempt, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, reply.failureCode(), reply.failure()));
    }
  }

  private void settle(Attempt attempt, AsyncResult<Message<Object>> result) {
    if (result.failed()) {
      failed(attempt, result.cause());
      return;
    }
    if (attempt.asksForEnvelope && Envelope.VERSION.equals(result.result().headers().get(Envelope.ACCEPTED))) {
      replicas.tookEnvelope(attempt.address, attempt.node);
    }
    answered(attempt, result.result().body());
  }

  /** Says whether the attempt was still out, and is no longer. */
  private boolean stopWaiting(Attempt attempt) {
    if (attempt.id != 0) {
      awaitingReply.remove(attempt.id);
    }
    return pending.remove(attempt);
  }

  private void answered(Attempt attempt, Object reply) {
    if (!stopWaiting(attempt)) {
      return;
    }
    Request request = attempt.request;
    request.outstanding--;
    replicas.answered(attempt.node);
    request.answer.tryComplete(new Delivered(reply, request.attempts));
  }

  private void failed(Attempt attempt, Throwable cause) {
    if (!stopWaiting(attempt)) {
      return;
    }
    Request request = attempt.request;
    request.outstanding--;
    BusFailure failure = BusFailure.of(request.address, cause, requestTimeoutMs);
    request.lastFailure = failure;
    if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
      && replicas.withoutOwnAddress(attempt.address, attempt.node)) {
      // Nothing consumed its per-node address, but the node consumes the address: the same node may take it again.
      request.tried.remove(attempt.node);
    }
    switch (failure.kind()) {
      case NOT_CONSUMED -> attempt(request, GatewayMetrics.Retry.NOT_CONSUMED);
      case WORKER_LOST -> lost(request, failure);
      case FAILED_BY_WORKER -> request.answer.tryFail(failure);
      default -> {
        if (request.outstanding == 0) {
          finish(request);
        }
      }
    }
  }

  /** The worker that held the request is gone: one that may repeat goes elsewhere, others fail once nothing is out. */
  private void lost(Request request, BusFailure lost) {
    request.lastFailure = request.repeatable ? lost : lost.notSentAgain();
    if (request.repeatable) {
      attempt(request, GatewayMetrics.Retry.WORKER_LOST);
    } else if (request.outstanding == 0) {
      finish(request);
    }
  }

  /** Fails the request with what happened last, or as not consumed when nothing was sent. */
  private void finish(Request request) {
    request.answer.tryFail(request.lastFailure != null ? request.lastFailure : BusFailure.notConsumed(request.address));
  }

  /**
   * Attempts that outlived their deadline: the node is suspected, and a request that may repeat tries another. Says
   * whether attempts are still out.
   */
  private boolean sweep() {
    long now = System.nanoTime();
    // Vert.x times out the attempts it sent; a direct one's request timeout is checked here.
    List<Attempt> timedOut = new ArrayList<>();
    for (Attempt attempt : pending) {
      if (attempt.id != 0 && now - attempt.request.deadline >= 0) {
        timedOut.add(attempt);
      }
    }
    timedOut.forEach(attempt -> failed(attempt, new ReplyException(ReplyFailure.TIMEOUT, "no reply in time")));
    long expired = now - TimeUnit.MILLISECONDS.toNanos(failover.attemptTimeoutMs());
    List<Request> hedge = new ArrayList<>();
    for (Attempt attempt : pending) {
      if (attempt.startNanos - expired > 0) {
        break;
      }
      if (!attempt.overdue) {
        attempt.overdue = true;
        replicas.suspect(attempt.node);
        Request request = attempt.request;
        if (request.repeatable && !request.answer.future().isComplete()) {
          hedge.add(request);
        }
      }
    }
    hedge.forEach(request -> attempt(request, GatewayMetrics.Retry.OVERDUE));
    return !pending.isEmpty();
  }

  /** Attempts to a node that left will never be answered: a request that may repeat goes elsewhere, others fail. */
  private void nodeLost(String node) {
    List<Attempt> lost = pending.stream().filter(attempt -> attempt.node.equals(node)).toList();
    int moved = 0;
    for (Attempt attempt : lost) {
      stopWaiting(attempt);
      Request request = attempt.request;
      request.outstanding--;
      if (!request.answer.future().isComplete()) {
        lost(request, BusFailure.workerLost(request.address, "the worker node left before it answered"));
        moved += request.repeatable ? 1 : 0;
      }
    }
    if (!lost.isEmpty()) {
      log.warn("worker node {} left with {} request(s) in flight to it from this gateway: {} tried again elsewhere, {}"
        + " not, as their method is not idempotent", node, lost.size(), moved, lost.size() - moved);
    }
  }
}
