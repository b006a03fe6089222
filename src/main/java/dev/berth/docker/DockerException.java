package dev.berth.docker;

/** The Docker lookup cannot say what was published; the message is one line that says what to do about it. */
public class DockerException extends Exception {

  public DockerException(String message) {
    super(message);
  }
}
