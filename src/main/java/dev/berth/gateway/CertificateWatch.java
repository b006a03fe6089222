package dev.berth.gateway;

import dev.berth.config.ServerTlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Serves a renewed certificate, and trusts renewed client authorities and revocation lists, without a restart, as ACME
 * clients and Kubernetes write them: every {@link #CHECK_MS} the files' modification times and sizes are compared with
 * those last read, and changed files are checked as at start-up, then loaded for new connections; what was loaded is
 * then handed to {@code loaded}, which closes the open connections of clients now revoked. Files that do not check out
 * are logged, and what was served so far stays until the files change again.
 */
final class CertificateWatch {

  static final long CHECK_MS = 10_000;
  private static final Logger log = LoggerFactory.getLogger(CertificateWatch.class);

  private final Vertx vertx;
  private final HttpServer server;
  private final ServerTlsConfig files;
  private final ServerSSLOptions served;
  private final Consumer<GatewayTls.Checked> loaded;
  private String lastRead;
  private long timer;

  /**
   * @param served the server's TLS options, whose files are read again when they changed
   * @param loaded what runs, on this verticle's event loop, once changed files are served
   */
  CertificateWatch(Vertx vertx, HttpServer server, ServerTlsConfig files, ServerSSLOptions served,
    Consumer<GatewayTls.Checked> loaded) {
    this.vertx = vertx;
    this.server = server;
    this.files = files;
    this.served = served;
    this.loaded = loaded;
  }

  /** Starts watching the files as they are now, which the server has just loaded. */
  Future<Void> start() {
    return versionOfFiles().map(version -> {
      lastRead = version;
      timer = vertx.setPeriodic(CHECK_MS, tick -> check());
      return null;
    });
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void check() {
    versionOfFiles()
      .onSuccess(version -> {
        if (!version.equals(lastRead)) {
          lastRead = version;
          reload();
        }
      })
      .onFailure(unreadable -> log.warn("cannot read the gateway's certificate files ({}); serving the certificate"
        + " read before", unreadable.getMessage()));
  }

  private void reload() {
    vertx.executeBlocking(() -> GatewayTls.check(files))
      .compose(checked -> server.updateSSLOptions(served, true).map(checked))
      .onSuccess(this::reloaded)
      .onFailure(refused -> log.warn("{}: serving the certificate read before until the files change again",
        refused.getMessage()));
  }

  private void reloaded(GatewayTls.Checked checked) {
    X509Certificate certificate = checked.certificate();
    log.info("the gateway serves the certificate {} from {}, valid until {}", certificate.getSubjectX500Principal()
      .getName(), files.cert(), certificate.getNotAfter().toInstant());
    loaded.accept(checked);
  }

  /** What changes when any of the files is written again: their modification times and sizes. */
  private Future<String> versionOfFiles() {
    List<Future<FileProps>> props = Stream.of(files.cert(), files.key(), files.clientCa(), files.clientCrl())
      .filter(Objects::nonNull)
      .map(file -> vertx.fileSystem().props(file.toString())).toList();
    return Future.all(props).map(all -> props.stream()
      .map(file -> file.result().lastModifiedTime() + "/" + file.result().size()).collect(Collectors.joining(" ")));
  }
}
