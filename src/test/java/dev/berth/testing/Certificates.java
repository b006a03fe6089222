package dev.berth.testing;

import dev.berth.cluster.PemFiles;
import dev.berth.cluster.TlsException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A cluster's certificates made as users make them, {@code java -jar berth.jar certs <dir> <node>...}. */
public final class Certificates {

  private Certificates() {
  }

  /** The authority in {@code directory} (made once) and a certificate for each node. */
  public static void make(Path directory, String... nodes) {
    run("certs", directory, nodes);
  }

  /**
   * The nodes' certificates revoked in the authority's list {@code directory/crl.pem}, their files moved to
   * {@code directory/revoked/}.
   *
   * @return what the command printed
   */
  public static String revoke(Path directory, String... nodes) {
    return run("revoke", directory, nodes);
  }

  private static String run(String command, Path directory, String... nodes) {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", BerthProcess.JAR.toString(), command, directory.toString()));
    line.addAll(List.of(nodes));
    return Docker.run(line, Duration.ofSeconds(60));
  }

  /** The variables that give {@code node} its TLS files from {@code directory}. */
  public static Map<String, String> env(Path directory, String node) {
    Map<String, String> env = new HashMap<>();
    env.put("BERTH_TLS_CA", directory.resolve("ca.pem").toString());
    env.put("BERTH_TLS_CERT", directory.resolve(node + ".pem").toString());
    env.put("BERTH_TLS_KEY", directory.resolve(node + "-key.pem").toString());
    return env;
  }

  /** An SSL context that trusts only the authority in {@code caPem}, as a client given that file does. */
  public static SSLContext trusting(Path caPem) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustOnly(caPem), null);
    return context;
  }

  /**
   * As {@link #trusting}, for a client that shows the certificate in {@code certPem}, with the key in {@code keyPem},
   * when the server asks for one.
   */
  public static SSLContext showing(Path caPem, Path certPem, Path keyPem)
    throws IOException, GeneralSecurityException, TlsException {
    KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
    identity.load(null, null);
    identity.setKeyEntry("client", PemFiles.privateKey(keyPem, "client key"), new char[0],
      PemFiles.certificates(certPem, "client certificate").toArray(new Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(identity, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trustOnly(caPem), null);
    return context;
  }

  private static TrustManager[] trustOnly(Path caPem) throws IOException, GeneralSecurityException {
    KeyStore authorities = KeyStore.getInstance(KeyStore.getDefaultType());
    authorities.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      authorities.setCertificateEntry("berth", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(authorities);
    return trust.getTrustManagers();
  }
}
