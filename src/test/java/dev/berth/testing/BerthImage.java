package dev.berth.testing;

import java.time.Duration;
import java.util.List;

/**
 * The berth image built from docker/Dockerfile and the jar of this build, once per test run. The base is the local
 * one docker/build-base-image.sh makes (no registry needed), built first when missing; BERTH_BASE_IMAGE picks another.
 */
public final class BerthImage {

  public static final String TAG = "berth:it";
  private static final String LOCAL_BASE = "berth-base/java17-jre:bookworm";
  private static boolean built;

  private BerthImage() {
  }

  public static synchronized String tag() {
    if (!built) {
      String base = System.getenv().getOrDefault("BERTH_BASE_IMAGE", LOCAL_BASE);
      if (base.equals(LOCAL_BASE)) {
        Docker.run(List.of("docker/build-base-image.sh", LOCAL_BASE), Duration.ofMinutes(10));
      }
      Docker.run(List.of("docker", "build", "-q", "-f", "docker/Dockerfile", "--build-arg", "BASE_IMAGE=" + base,
        "-t", TAG, "."), Duration.ofMinutes(5));
      built = true;
    }
    return TAG;
  }
}
