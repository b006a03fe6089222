package dev.berth.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AccessLogAppenderTest {

  private static final int QUEUE = 16;
  private static final int THREADS = 4;
  private static final int LINES_EACH = 500;

  @Test
  @DisplayName("while the output is stuck, the lines that do not fit the queue are dropped, not waited for, and each"
    + " one is counted: written and dropped add up to every line logged, from several threads at once")
  void countsEveryDroppedLine() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    CountDownLatch outputStuck = new CountDownLatch(1);
    AtomicInteger written = new AtomicInteger();
    AppenderBase<ILoggingEvent> output = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        try {
          outputStuck.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.incrementAndGet();
      }
    };
    output.setContext(context);
    output.start();
    AccessLogAppender queue = new AccessLogAppender();
    queue.setContext(context);
    queue.setQueueSize(QUEUE);
    queue.setDiscardingThreshold(0);
    queue.setNeverBlock(true);
    queue.addAppender(output);
    queue.start();
    Logger logger = context.getLogger(AccessLog.LOGGER);
    logger.addAppender(queue);

    List<Thread> loggers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      loggers.add(new Thread(() -> {
        for (int i = 0; i < LINES_EACH; i++) {
          logger.info("client=127.0.0.1 method=GET path=\"/apple\" status=200");
        }
      }));
    }
    loggers.forEach(Thread::start);
    for (Thread thread : loggers) {
      thread.join();
    }
    long droppedWhileStuck = queue.dropped();
    outputStuck.countDown();
    queue.stop();

    int logged = THREADS * LINES_EACH;
    assertThat(droppedWhileStuck).as("through at most: a line in the output's hands, the queue's worth its thread took"
      + " with it, and the queue").isGreaterThanOrEqualTo(logged - 2 * QUEUE - 1);
    assertThat(written.get() + queue.dropped()).isEqualTo(logged);
  }
}
