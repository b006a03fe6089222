package dev.berth.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports that were free a moment ago, for servers whose config requires a fixed port; never the same one twice. They
 * come from below the kernel's ephemeral range: a port from that range (what {@code new ServerSocket(0)} gives) can be
 * taken by any outgoing connection, such as one member connecting to another, between the moment it is picked and the
 * moment a node binds it (seen: a gateway failing with "Address already in use").
 */
public final class FreePorts {

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** Below this are the fixed ports of berth's defaults and of common services. */
  private static final int LOWEST = 10_000;
  /** The lowest ephemeral port when the kernel does not say (Linux's default). */
  private static final int EPHEMERAL_DEFAULT = 32_768;
  /** One past the highest port handed out. */
  private static final int END = Math.max(ephemeralStart(), LOWEST + 1_000);
  /** Where this JVM's tests start handing out ports, so that two test JVMs on one host rarely try the same ones. */
  private static final AtomicInteger NEXT = new AtomicInteger(LOWEST + ThreadLocalRandom.current().nextInt(END - LOWEST));

  private FreePorts() {
  }

  public static int next() {
    for (int tried = 0; tried < END - LOWEST; tried++) {
      int port = NEXT.getAndUpdate(last -> last + 1 < END ? last + 1 : LOWEST);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + LOWEST + ".." + (END - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int ephemeralStart() {
    try {
      return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return EPHEMERAL_DEFAULT;
    }
  }
}
