package dev.berth;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * berth's packages form one layering, each importing only from layers below it: config and the Vert.x plug-ins at the
 * bottom, then the bus protocol, the Docker lookup, advertising, the cluster set-up, the gateway and the worker, the
 * bridge (whose clients are workers), what a node shows of itself (observability), the node, and Main on top. A cycle,
 * or an import upwards, means a class sits in the wrong package.
 */
class LayeringTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/berth");
  private static final String ROOT = "";
  private static final Map<String, Integer> LAYER = Map.ofEntries(
    Map.entry("config", 0), Map.entry("runtime", 0),
    Map.entry("protocol", 1),
    Map.entry("docker", 2),
    Map.entry("advertise", 3),
    Map.entry("cluster", 4),
    Map.entry("gateway", 5), Map.entry("worker", 5),
    Map.entry("bridge", 6),
    Map.entry("observability", 7),
    Map.entry("node", 8),
    Map.entry(ROOT, 9));
  private static final Pattern BERTH_IMPORT = Pattern.compile("^import (?:static )?dev\\.berth\\.(?:([a-z]+)\\.)?[A-Z]",
    Pattern.MULTILINE);

  @Test
  @DisplayName("every import of a berth class points to a lower layer, so no two packages depend on each other")
  void importsPointDown() throws IOException {
    List<String> upward = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
        String from = packageOf(file);
        assertThat(LAYER).as("the layer of package dev.berth." + from).containsKey(from);
        Matcher imported = BERTH_IMPORT.matcher(read(file));
        while (imported.find()) {
          String to = imported.group(1) == null ? ROOT : imported.group(1);
          if (!to.equals(from) && LAYER.getOrDefault(to, Integer.MAX_VALUE) >= LAYER.get(from)) {
            upward.add(SOURCES.relativize(file) + " imports dev.berth." + to);
          }
        }
      });
    }
    assertThat(upward).as("imports that do not point to a lower layer").isEmpty();
  }

  private static String packageOf(Path file) {
    Path directory = SOURCES.relativize(file).getParent();
    return directory == null ? ROOT : directory.toString().replace('/', '.');
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
