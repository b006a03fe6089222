package dev.berth.gateway;

import dev.berth.config.ConnectionLimits;
import dev.berth.protocol.HttpError;
import dev.berth.runtime.Sweep;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The HTTP connections of one gateway instance, and the deadlines each keeps: a connection with no request in
 * progress must bring a whole request head within {@code headerTimeoutMs}, or it is closed (so is an idle keep-alive
 * connection); a request body must arrive within {@code bodyTimeoutMs} of its head, or the request gets 408. No more
 * than {@code maxConnections} are open on the node. One sweep checks every deadline a few times a second, instead of a
 * timer per request. Runs on the instance's event loop.
 */
final class ClientConnections {

  static final long SWEEP_MS = 250;

  private final ConnectionLimits limits;
  private final AtomicInteger openOnNode;
  private final Map<HttpConnection, Client> clients = new HashMap<>();
  private final Sweep deadlines;

  /** One connection: its requests in progress, the deadline for the next head, the bodies still being read. */
  private static final class Client {
    int active;
    long headDeadline;
    final List<Reading> reading = new ArrayList<>(1);
  }

  private record Reading(HttpServerRequest request, long deadline) {
  }

  /** @param openOnNode the open connections of all gateway instances of the node */
  ClientConnections(Vertx vertx, ConnectionLimits limits, AtomicInteger openOnNode) {
    this.limits = limits;
    this.openOnNode = openOnNode;
    this.deadlines = new Sweep(vertx, SWEEP_MS, this::sweep);
  }

  void stop() {
    deadlines.stop();
  }

  /** A new connection: refused, by closing it, when the node already has {@code maxConnections}. */
  void accept(HttpConnection connection) {
    if (openOnNode.incrementAndGet() > limits.maxConnections()) {
      openOnNode.decrementAndGet();
      connection.close();
      return;
    }
    Client client = new Client();
    client.headDeadline = deadline(limits.headerTimeoutMs());
    clients.put(connection, client);
    deadlines.needed();
    connection.closeHandler(closed -> {
      clients.remove(connection);
      openOnNode.decrementAndGet();
    });
  }

  /** A request's head arrived; its body, if it has one, is due within {@code bodyTimeoutMs}. */
  void headReceived(HttpServerRequest request, boolean hasBody) {
    Client client = clients.get(request.connection());
    if (client == null) {
      return;
    }
    client.active++;
    if (hasBody && !request.isEnded()) {
      client.reading.add(new Reading(request, deadline(limits.bodyTimeoutMs())));
    }
  }

  /** The request is read whole: its body deadline no longer applies. */
  void bodyReceived(HttpServerRequest request) {
    Client client = clients.get(request.connection());
    if (client != null && !client.reading.isEmpty()) {
      client.reading.removeIf(reading -> reading.request() == request);
    }
  }

  /** The request was answered; a connection left with none in progress must bring the next head in time. */
  void answered(HttpServerRequest request) {
    Client client = clients.get(request.connection());
    if (client == null) {
      return;
    }
    client.reading.removeIf(reading -> reading.request() == request);
    if (--client.active == 0) {
      client.headDeadline = deadline(limits.headerTimeoutMs());
    }
  }

  /** Closes the connections {@code closing} picks; says how many. */
  int closeWhere(Predicate<HttpConnection> closing) {
    List<HttpConnection> picked = clients.keySet().stream().filter(closing).toList();
    picked.forEach(HttpConnection::close);
    return picked.size();
  }

  /** Says whether connections are left to watch. */
  private boolean sweep() {
    long now = System.nanoTime();
    List<HttpConnection> late = new ArrayList<>();
    for (Map.Entry<HttpConnection, Client> entry : clients.entrySet()) {
      Client client = entry.getValue();
      if (client.active == 0 && now - client.headDeadline > 0) {
        late.add(entry.getKey());
      }
      for (Iterator<Reading> readings = client.reading.iterator(); readings.hasNext(); ) {
        Reading reading = readings.next();
        if (now - reading.deadline() > 0) {
          readings.remove();
          requestTimeout(reading.request());
        }
      }
    }
    late.forEach(HttpConnection::close);
    return !clients.isEmpty();
  }

  /** 408, the usual JSON; on HTTP/1.x the connection closes, since the rest of the body would follow on it. */
  private void requestTimeout(HttpServerRequest request) {
    if (request.response().headWritten()) {
      request.response().reset();
      return;
    }
    if (request.version() != HttpVersion.HTTP_2) {
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      request.response().endHandler(ended -> request.connection().close());
    }
    HttpError.send(request.response(), 408, "the request body did not arrive within " + limits.bodyTimeoutMs()
      + " ms", request.path());
  }

  private static long deadline(long timeoutMs) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }
}
