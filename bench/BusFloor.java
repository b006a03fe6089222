import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import dev.berth.cluster.FlushCoalescingTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.transport.Transport;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;

/**
 * The floor of berth's design, for bench/run.sh: the least a Vert.x event-bus gateway can do. HTTP in, the path as a
 * String over the clustered event bus to "first" (A-M) or "second" (N-Z), the worker's String back out. The same
 * Vert.x, Hazelcast (berth's cluster.xml) and transport as berth, but no router, no JSON, no validation. Part of the
 * harness, not of berth. Run as a source file:
 *   java -cp target/berth.jar bench/BusFloor.java gateway HTTP_PORT HAZELCAST_PORT CLUSTER MEMBER,...
 *   java -cp target/berth.jar bench/BusFloor.java worker ADDRESS TEXT HAZELCAST_PORT CLUSTER MEMBER,...
 */
public class BusFloor {

  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  public static void main(String[] args) {
    boolean gateway = args[0].equals("gateway");
    int hazelcastPort = Integer.parseInt(args[gateway ? 2 : 3]);
    String cluster = args[gateway ? 3 : 4];
    List<String> members = Arrays.asList(args[gateway ? 4 : 5].split(","));
    clustered(hazelcastPort, cluster, members)
      .compose(vertx -> gateway ? serve(vertx, Integer.parseInt(args[1])) : answer(vertx, args[1], args[2]))
      .onSuccess(started -> System.out.println("bus floor " + args[0] + " ready"))
      .onFailure(failure -> {
        System.err.println("bus floor " + args[0] + " failed: " + failure);
        System.exit(1);
      });
  }

  private static Future<Vertx> clustered(int hazelcastPort, String cluster, List<String> members) {
    Config config = ConfigUtil.loadConfig().setClusterName(cluster);
    NetworkConfig network = config.getNetworkConfig().setPort(hazelcastPort).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getTcpIpConfig().setMembers(members);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config))
      .withTransport(FlushCoalescingTransport.over(Transport.NIO)).buildClustered();
  }

  private static Future<Void> serve(Vertx vertx, int httpPort) {
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(3_000);
    return vertx.createHttpServer().requestHandler(request -> forward(vertx, delivery, request)).listen(httpPort)
      .mapEmpty();
  }

  private static void forward(Vertx vertx, DeliveryOptions delivery, HttpServerRequest request) {
    String path = request.path();
    char first = path.length() > 1 ? Character.toLowerCase(path.charAt(1)) : '?';
    if (first < 'a' || first > 'z') {
      request.response().setStatusCode(404).end();
      return;
    }
    vertx.eventBus().<String>request(first <= 'm' ? "first" : "second", path, delivery).onComplete(reply -> {
      if (reply.succeeded()) {
        request.response().putHeader("content-type", TEXT_PLAIN).end(reply.result().body());
      } else {
        request.response().setStatusCode(502).end();
      }
    });
  }

  private static Future<Void> answer(Vertx vertx, String address, String text) {
    return vertx.eventBus().<String>consumer(address, message -> message.reply(text)).completion();
  }
}
