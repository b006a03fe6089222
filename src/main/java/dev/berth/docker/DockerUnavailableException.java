package dev.berth.docker;

/**
 * The Docker API could not be asked at all (no socket, no answer, an error): unlike a container whose ports are
 * published wrongly, this may mean only that the node is not meant to advertise published ports.
 */
public final class DockerUnavailableException extends DockerException {

  DockerUnavailableException(String message) {
    super(message);
  }
}
