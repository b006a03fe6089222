package dev.berth.config;

/**
 * The HTTP gateway: where it listens, how long it waits for a worker, how much request body it holds (per request, and
 * in all, which bounds its heap), the routing table, how it fails over between replicas and what it grants clients.
 * {@code http2Cleartext} allows HTTP/2 without TLS (h2c), by upgrade or prior knowledge; Vert.x then meets a connection
 * only at its first request head, so until then only {@code idleTimeoutMs} bounds a client that sends nothing or
 * trickles, instead of {@code headerTimeoutMs}. {@code tls}, when given, makes the port HTTPS (with HTTP/2 by ALPN);
 * null keeps it plain HTTP. {@code accessLog} logs a line per answered request.
 */
public record GatewayConfig(
  String host,
  int httpPort,
  int instances,
  int requestTimeoutMs,
  int maxBodyBytes,
  int maxBodyBytesInFlight,
  Routes routes,
  FailoverConfig failover,
  ConnectionLimits connections,
  boolean http2Cleartext,
  ServerTlsConfig tls,
  boolean accessLog) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 2345;
  public static final int DEFAULT_INSTANCES = 1;
  public static final int DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

  public static final GatewayConfig DEFAULT = new GatewayConfig(DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_INSTANCES,
    DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES_IN_FLIGHT, Routes.DEFAULT, FailoverConfig.DEFAULT,
    ConnectionLimits.DEFAULT, false, null, false);

  public GatewayConfig {
    Checks.notBlank("host", host);
    Checks.port("httpPort", httpPort);
    Checks.inRange("instances", instances, 1, 256);
    Checks.inRange("requestTimeoutMs", requestTimeoutMs, 1, 600_000);
    Checks.inRange("maxBodyBytes", maxBodyBytes, 0, 64 * 1024 * 1024);
    if (maxBodyBytesInFlight < maxBodyBytes) {
      throw new InvalidConfigException("maxBodyBytesInFlight", "must be at least maxBodyBytes (" + maxBodyBytes
        + "), or no request with the largest body could pass, was " + maxBodyBytesInFlight);
    }
    if (routes == null) {
      throw new InvalidConfigException("routes", "is missing");
    }
    if (failover == null) {
      throw new InvalidConfigException("failover", "is missing");
    }
    if (connections == null) {
      throw new InvalidConfigException("connections", "is missing");
    }
    if (connections.idleTimeoutMs() <= requestTimeoutMs) {
      throw new InvalidConfigException("idleTimeoutMs", "must be longer than requestTimeoutMs (" + requestTimeoutMs
        + "), or a connection would close while its request waits for a worker, was " + connections.idleTimeoutMs());
    }
  }

  /** Whether clients must show a certificate: HTTPS, with {@code tls.clientCa}. */
  public boolean verifiesClients() {
    return tls != null && tls.verifiesClients();
  }

  static GatewayConfig fromJson(ConfigReader json) {
    json.allowOnly("host", "httpPort", "instances", "requestTimeoutMs", "maxBodyBytes", "maxBodyBytesInFlight", "routes",
      "attemptTimeoutMs", "awaitWorkerMs", "retryAnyMethod", "headerTimeoutMs", "bodyTimeoutMs", "idleTimeoutMs",
      "maxConnections", "http2Cleartext", "tls", "accessLog");
    return json.construct(() -> new GatewayConfig(
      json.string("host", DEFAULT_HOST),
      json.integer("httpPort", DEFAULT_HTTP_PORT),
      json.integer("instances", DEFAULT_INSTANCES),
      json.integer("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS),
      json.integer("maxBodyBytes", DEFAULT_MAX_BODY_BYTES),
      json.integer("maxBodyBytesInFlight", DEFAULT_MAX_BODY_BYTES_IN_FLIGHT),
      json.has("routes") ? Routes.withChoices(json.stringOrStringsMap("routes")) : Routes.DEFAULT,
      FailoverConfig.fromJson(json),
      ConnectionLimits.fromJson(json),
      json.bool("http2Cleartext", false),
      ServerTlsConfig.fromJson(json.object("tls")),
      json.bool("accessLog", false)));
  }
}
