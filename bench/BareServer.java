import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;

/**
 * A bare Vert.x HTTP server of bench/run.sh that answers every request with one text on every event loop: no routing,
 * no event bus. It is the ceiling, and the two upstreams nginx routes to. Part of the harness, not of berth.
 * Run as a source file: java -cp target/berth.jar bench/BareServer.java PORT TEXT
 */
public class BareServer extends VerticleBase {

  private final int port;
  private final Buffer text;

  BareServer(int port, String text) {
    this.port = port;
    this.text = Buffer.buffer(text);
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer()
      .requestHandler(request -> request.response().putHeader("content-type", "text/plain; charset=utf-8").end(text))
      .listen(port);
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new BareServer(port, args[1]),
        new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
      .onSuccess(id -> System.out.println("bare server answering " + args[1] + " on " + port))
      .onFailure(failure -> {
        System.err.println("bare server failed: " + failure);
        System.exit(1);
      });
  }
}
