package dev.berth.docker;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One container's inspection by the local Docker API, running on its own thread from the moment it is started, so
 * that it overlaps the rest of the node's start-up: on a cold JVM most of its time is loading and warming the client.
 */
public final class DockerInspection implements AutoCloseable {

  /** Longer than the Docker API's own worst case (every attempt timing out), so that its message wins. */
  private static final long TIMEOUT_SECONDS = 30;

  private final ContainerIdentity container;
  private final long startNanos = System.nanoTime();
  private volatile long firstAnswerNanos;
  private final CompletableFuture<DockerApi> api = new CompletableFuture<>();
  private final CompletableFuture<ContainerDescription> first = new CompletableFuture<>();

  private DockerInspection(ContainerIdentity container) {
    this.container = container;
  }

  public static DockerInspection start(ContainerIdentity container, Map<String, String> env) {
    DockerInspection inspection = new DockerInspection(container);
    Thread thread = new Thread(() -> inspection.run(env), "berth-docker-inspection");
    thread.setDaemon(true);
    thread.start();
    return inspection;
  }

  private void run(Map<String, String> env) {
    try {
      DockerApi docker = DockerApi.connect(env);
      api.complete(docker);
      ContainerDescription inspected = docker.inspect(container);
      firstAnswerNanos = System.nanoTime();
      first.complete(inspected);
    } catch (DockerUnavailableException | RuntimeException e) {
      api.completeExceptionally(e);
      first.completeExceptionally(e);
    }
  }

  public ContainerIdentity container() {
    return container;
  }

  /** The result of the inspection started by {@link #start}. */
  ContainerDescription await() throws DockerUnavailableException {
    return awaitResult(first);
  }

  /** A fresh inspection, for a binding that may show up a moment after the container started. */
  ContainerDescription again() throws DockerUnavailableException {
    return awaitResult(api).inspect(container);
  }

  /** This host's address in its Swarm. */
  String swarmNodeAddress() throws DockerException {
    return awaitResult(api).swarmNodeAddress();
  }

  /** How long the first inspection took from {@link #start}, client set-up included. */
  long firstAnswerMs() {
    return TimeUnit.NANOSECONDS.toMillis(firstAnswerNanos - startNanos);
  }

  String endpoint() throws DockerUnavailableException {
    return awaitResult(api).endpoint();
  }

  @Override
  public void close() {
    api.thenAccept(DockerApi::close);
  }

  private <T> T awaitResult(CompletableFuture<T> future) throws DockerUnavailableException {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DockerUnavailableException unavailable) {
        throw unavailable;
      }
      throw new DockerUnavailableException("asking the Docker API about container " + container.shortId() + " failed: " + e.getCause());
    } catch (TimeoutException e) {
      throw new DockerUnavailableException("the Docker API did not describe container " + container.shortId() + " within "
        + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerUnavailableException("interrupted while asking the Docker API about container " + container.shortId());
    }
  }
}
