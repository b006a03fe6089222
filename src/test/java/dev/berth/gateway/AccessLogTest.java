package dev.berth.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {

  @Test
  @DisplayName("a value from outside is quoted with its quotes, backslashes and control characters escaped: it can"
    + " forge neither a field nor a line")
  void quotedValues() {
    assertThat(AccessLog.quoted("/apple?x=1")).isEqualTo("\"/apple?x=1\"");
    assertThat(AccessLog.quoted("/a\" status=200")).isEqualTo("\"/a\\\" status=200\"");
    assertThat(AccessLog.quoted("/a\\")).isEqualTo("\"/a\\\\\"");
    assertThat(AccessLog.quoted("/a\r\nforged\t\u007f")).isEqualTo("\"/a\\x0d\\x0aforged\\x09\\x7f\"");
  }
}
