package dev.berth.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** One client asking a cluster's gateway for /apple and /zebra in turn, until closed: a little steady traffic. */
public final class BackgroundLoad implements AutoCloseable {

  private final AtomicBoolean loading = new AtomicBoolean(true);
  private final CompletableFuture<Void> load;

  private BackgroundLoad(LocalCluster cluster) {
    load = CompletableFuture.runAsync(() -> {
      while (loading.get()) {
        Http.get(cluster.gatewayUrl("/apple"));
        Http.get(cluster.gatewayUrl("/zebra"));
      }
    });
  }

  public static BackgroundLoad on(LocalCluster cluster) {
    return new BackgroundLoad(cluster);
  }

  @Override
  public void close() {
    loading.set(false);
    load.join();
  }
}
