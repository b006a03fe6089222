package dev.berth.config;

/** What a node's network connections run on ({@code transport}). */
public enum IoTransport implements ConfigName {
  /** {@link #IO_URING} where the host allows it, else {@link #NIO}. */
  AUTO,
  /** Linux's io_uring through Netty's native transport: fewer system calls per request; stop when it cannot load. */
  IO_URING,
  /** The JDK's NIO, on any host. */
  NIO;

  static IoTransport parse(String key, String value) {
    return ConfigName.parse(key, value, values(), "transport");
  }
}
