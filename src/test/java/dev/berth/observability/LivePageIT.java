package dev.berth.observability;

import dev.berth.testing.BackgroundLoad;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.FreePorts;
import dev.berth.testing.HeadlessChromium;
import dev.berth.testing.Http;
import dev.berth.testing.ItLogs;
import dev.berth.testing.LocalCluster;
import dev.berth.testing.Members;
import dev.berth.testing.Poll;
import dev.berth.testing.StockHazelcast;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's page on the management port, loaded by a real browser (headless Chromium) while the cluster serves: a
 * gateway and a worker on one host (127.0.0.1), a worker on another (127.0.0.2), and a stranger that joined Hazelcast
 * without being a berth node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class LivePageIT {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final List<String> NODES = List.of("gateway", "worker-first", "worker-second");
  /** The page's red for a problem ({@code --bad}) and the background of its problem banner, from page.css. */
  private static final int BAD = 0xb3261e;
  private static final int PROBLEM_BACKGROUND = 0xffebe9;
  private static final Pattern WORKER_RATE = Pattern.compile("workers</dt><dd>[0-9.]+ req/s, p99 ≤ [0-9.]+ ms");

  private final Path logs = ItLogs.directory(LivePageIT.class);
  private final LocalCluster cluster = new LocalCluster(logs, List.of("gateway", "worker-first"));
  private final HeadlessChromium chromium = new HeadlessChromium(logs);
  private BackgroundLoad load;
  private HazelcastClusterManager strangerManager;
  private Vertx stranger;

  @BeforeAll
  void start() throws Exception {
    advertiseOtherHost(cluster.env("worker-second"), "127.0.0.2");
    NODES.forEach(node -> cluster.start(node, "conf/" + node + ".json"));
    cluster.awaitHealthy(BOUND);
    strangerManager = new HazelcastClusterManager(StockHazelcast.member(cluster.name(),
      List.of("127.0.0.1:" + cluster.env("gateway").get("BERTH_HAZELCAST_PORT"))));
    stranger = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(strangerManager).buildClustered()
      .await(60, TimeUnit.SECONDS);
    load = BackgroundLoad.on(cluster);
  }

  @AfterAll
  void stop() {
    if (load != null) {
      load.close();
    }
    if (stranger != null) {
      stranger.close().await();
    }
    cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("every member is on the page, grouped by the host it advertises, with its addresses, rate and p99; the"
    + " stranger is marked as a problem")
  void everyMemberAndAddress() {
    String page = Poll.until("the page showing the cluster under load", BOUND, () -> chromium.dom(pageUrl()),
      dom -> NODES.stream().allMatch(node -> dom.contains("data-member=\"" + node + "\""))
        && dom.contains("data-member=\"" + strangerManager.getNodeId() + "\"")
        && Pattern.compile("gateway</dt><dd>[0-9.]+ req/s, p99 ≤ [0-9.]+ ms").matcher(dom).find()
        && WORKER_RATE.matcher(dom).results().count() >= 2
        && dom.contains("not heard from")).value();

    assertThat(page).contains("data-host=\"127.0.0.1\"", "data-host=\"127.0.0.2\"")
      .contains("data-address=\"first\"", "data-address=\"second\"")
      .contains("4 member(s), 1 with a problem");
    assertThat(section(page, "127.0.0.2")).contains("data-member=\"worker-second\"")
      .doesNotContain("data-member=\"gateway\"");
    assertThat(WORKER_RATE.matcher(page).results().count()).as("both workers' rates").isGreaterThanOrEqualTo(2);
  }

  @Test
  @Order(2)
  @DisplayName("a screenshot of the page, for the README: the window's size, with the stranger's problem drawn in the"
    + " page's red")
  void screenshot() throws IOException {
    Poll.until("both workers serving with rates", BOUND, () -> chromium.dom(pageUrl()),
      dom -> Pattern.compile("workers</dt><dd>[0-9.]+ req/s").matcher(dom).results().count() >= 2);
    Path png = logs.resolve("cluster-page.png");

    chromium.screenshot(pageUrl(), png, 1200, 720);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a PNG image").isNotNull();
    assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(1200, 720);
    assertThat(pixels(image, PROBLEM_BACKGROUND)).as("pixels of the problem banner's background").isGreaterThan(1_000);
    assertThat(pixels(image, BAD)).as("pixels of the red that marks the stranger").isGreaterThan(100);
  }

  /** How many pixels of the image have exactly the colour {@code rgb}. */
  private static long pixels(BufferedImage image, int rgb) {
    long count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  @Order(3)
  @DisplayName("the page loads nothing from elsewhere: its policy allows only its own origin, and its files are served")
  void selfContained() throws IOException {
    HttpResponse<byte[]> page = Http.exchange(HttpRequest.newBuilder(URI.create(pageUrl())));
    String html = new String(page.body());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
      .startsWith("default-src 'none'; script-src 'self'");
    assertThat(html).doesNotContain("http://", "https://");
    for (String file : List.of("/page/page.js", "/page/page.css")) {
      assertThat(html).contains("\"" + file + "\"");
      assertThat(Http.get(cluster.managementUrl("gateway", file)).status()).isEqualTo(200);
    }
  }

  /** Binds every address and advertises {@code host}, another address of loopback, as if on another machine. */
  private static void advertiseOtherHost(Map<String, String> env, String host) {
    int eventBusPort = FreePorts.next();
    env.put("BERTH_CLUSTER_HOST", "0.0.0.0");
    env.put("BERTH_EVENTBUS_PORT", String.valueOf(eventBusPort));
    env.put("BERTH_ADVERTISE", "static");
    env.put("BERTH_HOST_IP", host);
    env.put("BERTH_PUBLIC_HAZELCAST_PORT", env.get("BERTH_HAZELCAST_PORT"));
    env.put("BERTH_PUBLIC_EVENTBUS_PORT", String.valueOf(eventBusPort));
  }

  @Test
  @Order(4)
  @DisplayName("a frozen member turns silent within three seconds, before Hazelcast drops it")
  void frozenMemberSilent() throws Exception {
    BerthProcess frozen = cluster.start("worker-frozen", "conf/worker-first.json").awaitHealthy(BOUND);
    Poll.until("worker-frozen's pulse", BOUND, () -> member("worker-frozen"),
      member -> member != null && member.getJsonObject("pulse") != null);

    signal("STOP", frozen.pid());
    try {
      JsonObject silent = Poll.until("worker-frozen silent, while still a member", BOUND, () -> member("worker-frozen"),
        member -> member == null || member.getJsonObject("pulse").getBoolean("silent")).value();

      assertThat(silent).as("still a member when it turned silent").isNotNull();
      assertThat(silent.getJsonObject("pulse").getLong("ageMs")).isGreaterThan(Pulse.SILENT_AFTER_MS);
    } finally {
      frozen.kill();
    }
  }

  private JsonObject member(String name) {
    return Members.of(cluster.managementUrl("gateway", "")).get(name);
  }

  private static void signal(String signal, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor()).isZero();
  }

  private String pageUrl() {
    return cluster.managementUrl("gateway", "/");
  }

  /** The part of the page that shows one host. */
  private static String section(String page, String host) {
    int start = page.indexOf("data-host=\"" + host + "\"");
    int end = page.indexOf("</section>", start);
    return page.substring(start, end);
  }

}
