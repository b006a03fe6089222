package dev.berth;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README is a landing page; every link between berth's documents leads somewhere: each file a link names exists,
 * and each anchor is a heading of its page, as GitHub names headings; and the protocol's frames are shown as sent.
 */
class DocsTest {

  private static final Path README = Path.of("README.md");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");
  /** A frame as docs/protocol.md shows it: who sends it, its 4 length bytes in hex, then its JSON. */
  private static final Pattern FRAME = Pattern.compile("^(?:client|bridge) → (?:bridge|client)  ((?:\\p{XDigit}{2} ){3}"
    + "\\p{XDigit}{2})  (\\{.*)$");
  /** Where a frame's JSON starts on its line, and so how far its wrapped lines are indented. */
  private static final int FRAME_JSON_COLUMN = 30;

  @Test
  @DisplayName("the README is one page: at most 250 lines")
  void readmeIsALandingPage() throws IOException {
    assertThat(Files.readAllLines(README)).hasSizeLessThanOrEqualTo(250);
  }

  @Test
  @DisplayName("every relative link of the README and docs/ names a file that exists, and a heading of it when it has"
    + " an anchor")
  void linksLeadSomewhere() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README, Path.of("workers/python/README.md"),
      Path.of("workers/node/README.md"), Path.of("workers/go/README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(page -> page.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      for (String link : links(page)) {
        if (link.matches("^[a-z]+:.*")) {
          continue;
        }
        checked++;
        int hash = link.indexOf('#');
        String file = hash < 0 ? link : link.substring(0, hash);
        Path target = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
        if (!Files.exists(target)) {
          broken.add(page + ": " + link + " (no such file)");
        } else if (hash >= 0 && !anchors(target).contains(link.substring(hash + 1))) {
          broken.add(page + ": " + link + " (no such heading in " + target.getFileName() + ")");
        }
      }
    }
    assertThat(checked).as("links checked").isGreaterThan(50);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  @DisplayName("each frame docs/protocol.md shows byte for byte is one JSON object, and its length bytes count it")
  void protocolFramesHaveTheirLengths() {
    List<String> lines = read(Path.of("docs/protocol.md"));
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher frame = FRAME.matcher(lines.get(i));
      if (!frame.matches()) {
        continue;
      }
      StringBuilder json = new StringBuilder(frame.group(2));
      while (i + 1 < lines.size() && lines.get(i + 1).startsWith(" ".repeat(FRAME_JSON_COLUMN))) {
        json.append(lines.get(++i).strip());
      }
      assertThat(new JsonObject(json.toString())).as(json.toString()).isNotNull();
      assertThat(json.toString().getBytes(StandardCharsets.UTF_8)).as(json.toString())
        .hasSize(Integer.parseInt(frame.group(1).replace(" ", ""), 16));
      frames.add(json.toString());
    }
    assertThat(frames).as("frames shown").hasSizeGreaterThanOrEqualTo(9);
  }

  /** The links of a Markdown page, outside code blocks and code spans. */
  private static List<String> links(Path page) {
    List<String> links = new ArrayList<>();
    boolean code = false;
    for (String line : read(page)) {
      if (line.startsWith("```")) {
        code = !code;
        continue;
      }
      if (!code) {
        Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", ""));
        while (link.find()) {
          links.add(link.group(1));
        }
      }
    }
    return links;
  }

  /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
  private static Set<String> anchors(Path page) {
    Set<String> anchors = new HashSet<>();
    if (!page.toString().endsWith(".md")) {
      return anchors;
    }
    boolean code = false;
    for (String line : read(page)) {
      if (line.startsWith("```")) {
        code = !code;
      }
      Matcher heading = HEADING.matcher(line);
      if (!code && heading.matches()) {
        String anchor = heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
        String unique = anchor;
        for (int repeat = 1; !anchors.add(unique); repeat++) {
          unique = anchor + "-" + repeat;
        }
      }
    }
    return anchors;
  }

  private static List<String> read(Path page) {
    try {
      return Files.readAllLines(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
