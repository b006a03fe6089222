package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where integration tests keep the output of what they start: under target/, so that it outlives a failed run. */
public final class ItLogs {

  private ItLogs() {
  }

  public static Path directory(Class<?> test, String... subdirectories) {
    try {
      return Files.createDirectories(Path.of("target", "it-logs", test.getSimpleName()).resolve(Path.of("", subdirectories)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
