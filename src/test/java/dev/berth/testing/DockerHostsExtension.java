package dev.berth.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.function.Supplier;

/**
 * Simulated Docker hosts ({@link DockerHosts}) for the tests of one class: started, with the images loaded, before the
 * class's own {@code @BeforeAll}; the logs of every container kept after each test, under {@link ItLogs}; removed after
 * the class. Register it on an instance field of a {@code PER_CLASS} test.
 */
public final class DockerHostsExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

  private final Supplier<List<String>> images;
  private final String[] names;
  private DockerHosts hosts;

  /** @param images the image tags to load into every host, asked for when the hosts start (building any not built) */
  public DockerHostsExtension(Supplier<List<String>> images, String... names) {
    this.images = images;
    this.names = names;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    long start = System.nanoTime();
    hosts = DockerHosts.start(images.get(), names);
    System.out.printf("%s: %d Docker hosts up, images loaded: %d ms%n", context.getRequiredTestClass().getSimpleName(),
      names.length, (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    hosts.saveLogs(ItLogs.directory(context.getRequiredTestClass(), context.getRequiredTestMethod().getName()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (hosts != null) {
      hosts.close();
    }
  }

  /** The hosts, once the class's tests may use them. */
  public DockerHosts started() {
    return hosts;
  }
}
