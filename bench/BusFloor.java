import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.instance.EndpointQualifier;
import dev.berth.config.IoTransport;
import dev.berth.node.NodeTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;

/**
 * The floor of berth's design, for bench/run.sh: the least a Vert.x event-bus gateway can do. HTTP in, the path as a
 * String over the clustered event bus to "first" (A-M) or "second" (N-Z), the worker's String back out. The same
 * Vert.x, Hazelcast (berth's cluster.xml) and transport (a node's default) as berth, but no router, no JSON, no validation. Part of the
 * harness, not of berth. Run as a source file:
 *   java -cp target/berth.jar bench/BusFloor.java HAZELCAST_PORT CLUSTER MEMBER,... gateway HTTP_PORT
 *   java -cp target/berth.jar bench/BusFloor.java HAZELCAST_PORT CLUSTER MEMBER,... worker ADDRESS TEXT
 */
public class BusFloor {

  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  public static void main(String[] args) {
    String role = args[3];
    clustered(Integer.parseInt(args[0]), args[1], Arrays.asList(args[2].split(",")))
      .compose(vertx -> role.equals("gateway")
        ? serve(vertx, Integer.parseInt(args[4]))
        : answer(vertx, args[4], args[5]))
      .onSuccess(started -> System.out.println("bus floor " + role + " ready"))
      .onFailure(failure -> {
        System.err.println("bus floor " + role + " failed: " + failure);
        System.exit(1);
      });
  }

  private static Future<Vertx> clustered(int hazelcastPort, String cluster, List<String> members) {
    Config config = ConfigUtil.loadConfig().setClusterName(cluster);
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig();
    ServerSocketEndpointConfig member = (ServerSocketEndpointConfig) network.getEndpointConfigs()
      .get(EndpointQualifier.MEMBER);
    member.setPort(hazelcastPort).setPortAutoIncrement(false).getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getTcpIpConfig().setMembers(members);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config))
      .withTransport(NodeTransport.of(IoTransport.AUTO).transport()).buildClustered();
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
