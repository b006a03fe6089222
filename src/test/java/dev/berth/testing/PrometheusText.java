package dev.berth.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads Prometheus's text exposition format: each sample line as its series ({@code name{labels}}) and value. */
public final class PrometheusText {

  private PrometheusText() {
  }

  public static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    text.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    });
    return samples;
  }
}
