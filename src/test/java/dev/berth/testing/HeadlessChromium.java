package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, loading a page as a user's browser would: its scripts run, it fetches what it
 * fetches, and then the test gets the document as it stands, or a screenshot.
 */
public final class HeadlessChromium {

  /** The page's own time for its scripts and fetches before the result is taken. */
  private static final int BUDGET_MS = 4_000;
  private static final long PROCESS_TIMEOUT_S = 60;

  private final Path profile;

  public HeadlessChromium(Path directory) {
    try {
      this.profile = Files.createDirectories(directory.resolve("chromium-profile"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document after the page's scripts ran. */
  public String dom(String url) {
    return new String(run(List.of("--dump-dom", url)), StandardCharsets.UTF_8);
  }

  /** Saves what a {@code width}×{@code height} window shows of the page as a PNG. */
  public void screenshot(String url, Path png, int width, int height) {
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
      "--hide-scrollbars", url));
    if (!Files.isRegularFile(png)) {
      throw new AssertionError("chromium wrote no screenshot to " + png);
    }
  }

  private byte[] run(List<String> arguments) {
    List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--disable-gpu",
      // Its sandbox needs user namespaces, which CI's root and containers do not give.
      "--no-sandbox", "--no-first-run", "--user-data-dir=" + profile,
      "--virtual-time-budget=" + BUDGET_MS));
    command.addAll(arguments);
    try {
      Process process = new ProcessBuilder(command).redirectError(profile.resolve("stderr.log").toFile()).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("chromium did not finish within " + PROCESS_TIMEOUT_S + " s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError("chromium exited " + process.exitValue() + ": " + command + "\n"
          + Files.readString(profile.resolve("stderr.log")));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run chromium (apt-get install chromium)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
