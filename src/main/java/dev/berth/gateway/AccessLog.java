package dev.berth.gateway;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;

/**
 * With {@code gateway.accessLog} on, one INFO line per answered request on the logger {@code berth.access}, in logfmt:
 * the client, the request line, the status, the body bytes sent, the gateway's time from head to answer, the address
 * the path routed to, the worker node that served it, and the trace id the answer's {@code traceparent} carries,
 * which finds the request in the traces and wherever a worker logs it; on a gateway that requires client certificates,
 * last, the subject of the certificate the client showed. vertx-web's LoggerHandler would log 4xx at
 * WARN and 5xx at ERROR, under one of its own classes' names, and knows neither the address nor the worker.
 */
final class AccessLog {

  static final String LOGGER = "berth.access";
  /** What a field without a value reads: a request routed nowhere, an answer no worker served. */
  static final String NONE = "-";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {
  }

  /** The lines dropped by the {@link AccessLogAppender}s the logger writes to, in this process. */
  static long dropped() {
    long dropped = 0;
    if (log instanceof ch.qos.logback.classic.Logger logback) {
      for (Iterator<Appender<ILoggingEvent>> appenders = logback.iteratorForAppenders(); appenders.hasNext(); ) {
        if (appenders.next() instanceof AccessLogAppender queue) {
          dropped += queue.dropped();
        }
      }
    }
    return dropped;
  }

  /**
   * The request, answered; {@code arrivedNanos} is when its head arrived, {@code clientSubject} the subject of the
   * client's verified certificate, null where none is required.
   */
  static void answered(HttpServerRequest request, String address, Context trace, long arrivedNanos,
                       String clientSubject) {
    if (log.isInfoEnabled()) {
      SpanContext span = Span.fromContext(trace).getSpanContext();
      write(request, request.method().name(), quoted(request.uri()),
        request.version() == null ? NONE : request.version().alpnName(), arrivedNanos, address,
        span.isValid() ? span.getTraceId() : NONE, clientSubject);
    }
  }

  /**
   * A request whose head the HTTP decoder refused, answered: its method, target and version are the placeholders of
   * a request that could not be read, and are not logged.
   */
  static void refused(HttpServerRequest request, long arrivedNanos, String clientSubject) {
    if (log.isInfoEnabled()) {
      write(request, NONE, NONE, NONE, arrivedNanos, NONE, NONE, clientSubject);
    }
  }

  private static void write(HttpServerRequest request, String method, String path, String version, long arrivedNanos,
                            String address, String traceId, String clientSubject) {
    HttpServerResponse response = request.response();
    long micros = (System.nanoTime() - arrivedNanos) / 1_000;
    String servedBy = response.headers().get(GatewayVerticle.SERVED_BY_HEADER);
    SocketAddress client = request.remoteAddress();
    log.info("client={} method={} path={} version={} status={} bytes={} ms={}.{} address={} node={} trace={}{}",
      client == null ? NONE : client.hostAddress(), method, path, version, response.getStatusCode(),
      response.bytesWritten(), micros / 1_000, threeDigits(micros % 1_000), address,
      servedBy == null ? NONE : quoted(servedBy), traceId,
      clientSubject == null ? "" : " subject=" + quoted(clientSubject));
  }

  /**
   * In double quotes, with quotes, backslashes and control characters escaped: the request target and the worker's
   * name come from outside, and must not forge a field or a line.
   */
  static String quoted(String value) {
    StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        quoted.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  private static String threeDigits(long value) {
    return value >= 100 ? Long.toString(value) : value >= 10 ? "0" + value : "00" + value;
  }
}
