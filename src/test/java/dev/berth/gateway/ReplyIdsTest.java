package dev.berth.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class ReplyIdsTest {

  @Test
  @DisplayName("ids over several blocks are distinct, never 0, and not a sequence another node could guess on from")
  void randomIds() {
    ReplyIds ids = new ReplyIds();
    long[] drawn = LongStream.generate(ids::next).limit(5_000).toArray();

    Set<Long> distinct = new HashSet<>();
    LongStream.of(drawn).forEach(distinct::add);
    assertThat(distinct).hasSize(drawn.length).doesNotContain(0L);
    long steps = LongStream.range(1, drawn.length).map(i -> drawn[(int) i] - drawn[(int) i - 1]).distinct().count();
    assertThat(steps).as("distinct differences between consecutive ids").isEqualTo(drawn.length - 1);
    assertThat(LongStream.of(drawn).filter(id -> id < 0).count()).as("negative ids, about half")
      .isBetween(2_000L, 3_000L);
  }
}
