package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes to an HTTP port over a plain socket, as a hostile or broken client sends them, and everything the server
 * answers until it closes the connection or {@code wait} passes.
 */
public final class RawHttp {

  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\S+ (\\d{3}) ");

  private RawHttp() {
  }

  /** What came back: the answers' status codes in order, the raw text, whether the server closed, and when. */
  public record Exchange(List<Integer> statuses, String text, boolean closed, Duration elapsed) {

    public int status() {
      return statuses.isEmpty() ? -1 : statuses.get(0);
    }

    @Override
    public String toString() {
      return statuses + (closed ? " then closed" : " still open") + " after " + elapsed.toMillis() + " ms: " + text;
    }
  }

  public static Exchange exchange(int port, String request, Duration wait) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), wait);
  }

  public static Exchange exchange(int port, byte[] request, Duration wait) {
    long start = System.nanoTime();
    try (Socket socket = connect(port)) {
      socket.setSoTimeout((int) wait.toMillis());
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      StringBuilder text = new StringBuilder();
      boolean closed = readUntilClosed(socket.getInputStream(), text);
      Matcher status = STATUS_LINE.matcher(text);
      List<Integer> statuses = new ArrayList<>();
      while (status.find()) {
        statuses.add(Integer.parseInt(status.group(1)));
      }
      return new Exchange(statuses, text.toString(), closed, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An open connection that has sent nothing, for tests of how many a server holds. */
  public static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    return socket;
  }

  /** Whether the server closed the connection within the socket's timeout; reads what it sent meanwhile. */
  public static boolean readUntilClosed(InputStream in, StringBuilder text) throws IOException {
    byte[] buffer = new byte[8192];
    try {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        text.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
