package dev.berth.gateway;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;

import java.util.concurrent.atomic.LongAdder;

/**
 * The access log's queue (logback.xml): Logback's {@link AsyncAppender}, which writes the lines off the event loop and,
 * with {@code neverBlock}, drops a line rather than wait when its queue is full, here also counting each line it drops
 * ({@code berth_gateway_access_log_dropped_total}): Logback's own drops them without a trace.
 */
public final class AccessLogAppender extends AsyncAppender {

  private final LongAdder dropped = new LongAdder();

  /** The lines dropped since the appender started. */
  public long dropped() {
    return dropped.sum();
  }

  /** Under this appender's lock, a queue with a free place still has it when the line is put there: no drop uncounted. */
  @Override
  protected synchronized void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      dropped.increment();
      return;
    }
    super.append(event);
  }
}
