package dev.berth.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The images of this build, each built once per test run from docker/: the berth node (with the jar of this build) and
 * the worker packages' demo workers. Each base is the local one docker/build-base-image.sh makes (no registry needed),
 * built first when missing; BERTH_BASE_IMAGE picks another base for the node.
 */
public enum BerthImage {
  NODE("berth:it", "docker/Dockerfile", "java", "berth-base/java17-jre:bookworm"),
  PYTHON_WORKER("berth-worker-python:it", "docker/worker-python.Dockerfile", "python", "berth-base/python3:bookworm"),
  NODE_WORKER("berth-worker-node:it", "docker/worker-node.Dockerfile", "node", "berth-base/nodejs:bookworm"),
  GO_WORKER("berth-worker-go:it", "docker/worker-go.Dockerfile", "go", "berth-base/golang:bookworm");

  private static final Map<BerthImage, Boolean> BUILT = new HashMap<>();

  private final String tag;
  private final String dockerfile;
  private final String baseKind;
  private final String localBase;

  BerthImage(String tag, String dockerfile, String baseKind, String localBase) {
    this.tag = tag;
    this.dockerfile = dockerfile;
    this.baseKind = baseKind;
    this.localBase = localBase;
  }

  /** The berth node's image, built on first use. */
  public static String tag() {
    return NODE.built();
  }

  /** This image's tag, built on first use. */
  public String built() {
    synchronized (BUILT) {
      if (!BUILT.containsKey(this)) {
        String base = this == NODE ? System.getenv().getOrDefault("BERTH_BASE_IMAGE", localBase) : localBase;
        if (base.equals(localBase)) {
          Docker.run(List.of("docker/build-base-image.sh", baseKind, localBase), Duration.ofMinutes(10));
        }
        Docker.run(List.of("docker", "build", "-q", "-f", dockerfile, "--build-arg", "BASE_IMAGE=" + base, "-t", tag,
          "."), Duration.ofMinutes(5));
        BUILT.put(this, true);
      }
      return tag;
    }
  }
}
