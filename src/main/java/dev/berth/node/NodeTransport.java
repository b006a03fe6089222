package dev.berth.node;

import dev.berth.config.InvalidConfigException;
import dev.berth.config.IoTransport;
import dev.berth.runtime.BerthTransport;
import dev.berth.runtime.PeerCheck;
import io.vertx.core.transport.Transport;

/**
 * What a node's connections run on, as its {@code transport} setting asks, with berth's handlers
 * ({@link BerthTransport}: flushes coalesced, a plain request on a TLS port answered); {@code why} goes into the node's
 * start-up line. io_uring needs a recent Linux kernel that allows it: Docker's default seccomp profile denies it in
 * containers from Docker 25 on, and {@code kernel.io_uring_disabled} can turn it off.
 */
public record NodeTransport(Transport base, String why) {

  /** @throws InvalidConfigException when the setting is io_uring and this host does not allow it */
  public static NodeTransport of(IoTransport setting) {
    if (setting == IoTransport.NIO) {
      return new NodeTransport(Transport.NIO, "nio, as transport says");
    }
    Transport ioUring = Transport.IO_URING;
    String unavailable = ioUring == null ? "Netty's io_uring transport is not on the class path"
      : ioUring.available() ? null : reason(ioUring.unavailabilityCause());
    if (unavailable == null) {
      return new NodeTransport(ioUring, setting == IoTransport.IO_URING ? "io_uring, as transport says" : "io_uring");
    }
    if (setting == IoTransport.IO_URING) {
      throw new InvalidConfigException("transport", "is io_uring, which this host does not allow (" + unavailable
        + "): use auto or nio");
    }
    return new NodeTransport(Transport.NIO, "nio, as io_uring is unavailable (" + unavailable + ")");
  }

  /** The chosen transport, with berth's handlers. */
  public BerthTransport transport() {
    return transport(PeerCheck.NONE);
  }

  /** The chosen transport, with berth's handlers; TLS connections whose peer {@code peers} refuses are closed. */
  public BerthTransport transport(PeerCheck peers) {
    return BerthTransport.over(base, peers);
  }

  private static String reason(Throwable cause) {
    return cause == null ? "no reason given" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
