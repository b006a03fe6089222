package dev.berth.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The node certificates the cluster's authority revoked: its certificate revocation lists (PEM, one per authority while
 * the authority is replaced) from {@code cluster.tls.crl}, each checked to be signed by one of the authorities. The file
 * is read at start-up, and again when it changed ({@link #refresh}), so that a revocation reaches running nodes without
 * a restart.
 */
final class Revocations {

  static final String KEY = "cluster.tls.crl";

  private static final Logger log = LoggerFactory.getLogger(Revocations.class);

  /** What was read, and the file's stamp when it was: a different stamp means read it again. */
  private record Read(List<X509CRL> lists, FileTime modified, long size) {
  }

  private final Path file;
  private final List<X509Certificate> authorities;
  private volatile Read read;
  /** How many times the lists changed since start-up. */
  private volatile long version;
  /** The last problem {@link #refresh} logged, so that a file broken for a while is logged once. */
  private String lastProblem;

  private Revocations(Path file, List<X509Certificate> authorities, Read read) {
    this.file = file;
    this.authorities = authorities;
    this.read = read;
  }

  /** None: no {@code cluster.tls.crl}, nothing is revoked. */
  static Revocations none() {
    return new Revocations(null, List.of(), new Read(List.of(), null, -1));
  }

  /**
   * @throws TlsException naming the file and what is wrong: missing, unreadable, not a revocation list, or not signed by
   *                      one of {@code authorities}
   */
  static Revocations load(Path file, List<X509Certificate> authorities) throws TlsException {
    return new Revocations(file, authorities, read(file, authorities));
  }

  /** Whether one of the lists, the one of the authority that issued {@code certificate}, revokes it. */
  boolean revoked(X509Certificate certificate) {
    for (X509CRL list : read.lists()) {
      if (list.getIssuerX500Principal().equals(certificate.getIssuerX500Principal()) && list.isRevoked(certificate)) {
        return true;
      }
    }
    return false;
  }

  /** Changes each time {@link #refresh} read changed lists. */
  long version() {
    return version;
  }

  /**
   * Reads the file again if it changed since it was last read. A file that cannot be used now keeps the lists read
   * before, and is logged once, until it changes again.
   *
   * @return whether the lists changed
   */
  synchronized boolean refresh() {
    if (file == null) {
      return false;
    }
    BasicFileAttributes stamp = stamp(file);
    if (stamp != null && stamp.lastModifiedTime().equals(read.modified()) && stamp.size() == read.size()) {
      return false;
    }
    try {
      read = read(file, authorities);
    } catch (TlsException e) {
      if (!e.getMessage().equals(lastProblem)) {
        lastProblem = e.getMessage();
        log.warn("{}; the certificates revoked before stay revoked", e.getMessage());
      }
      return false;
    }
    lastProblem = null;
    version++;
    log.info("{} ({}) read again: {} certificate(s) revoked", file, KEY, count(read.lists()));
    return true;
  }

  private static Read read(Path file, List<X509Certificate> authorities) throws TlsException {
    BasicFileAttributes stamp = stamp(file);
    return new Read(signedLists(file, authorities), stamp == null ? null : stamp.lastModifiedTime(),
      stamp == null ? -1 : stamp.size());
  }

  /**
   * The lists in the file, each signed by one of {@code authorities}.
   *
   * @throws TlsException naming the file and what is wrong: missing, unreadable, not a revocation list, or not signed by
   *                      one of {@code authorities}
   */
  static List<X509CRL> signedLists(Path file, List<X509Certificate> authorities) throws TlsException {
    return PemFiles.revocationLists(file, KEY, authorities, "cluster.tls.ca",
      "make it with java -jar berth.jar revoke");
  }

  /** When the file was last changed, and its size; null when that cannot be read (reading it then says why). */
  private static BasicFileAttributes stamp(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static int count(List<X509CRL> lists) {
    return lists.stream().mapToInt(list -> list.getRevokedCertificates() == null ? 0
      : list.getRevokedCertificates().size()).sum();
  }
}
