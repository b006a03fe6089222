package dev.berth.gateway;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The ids of one gateway instance's direct requests, which no node but the one a request went to can guess: every
 * member reads the reply addresses in the cluster's registry, so the id is what keeps a forged answer out, as the random
 * reply address of Vert.x's request-reply does. Drawn from {@link SecureRandom} 512 at a time, since one draw per
 * request costs about what that random address does. Used on one event loop.
 */
final class ReplyIds {

  private static final int BLOCK_BYTES = 512 * Long.BYTES;

  private final SecureRandom random = new SecureRandom();
  private final ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES).position(BLOCK_BYTES);

  /** A random id, never 0. */
  long next() {
    long id;
    do {
      if (!block.hasRemaining()) {
        random.nextBytes(block.array());
        block.clear();
      }
      id = block.getLong();
    } while (id == 0);
    return id;
  }
}
