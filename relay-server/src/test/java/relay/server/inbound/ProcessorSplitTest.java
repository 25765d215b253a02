package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcessorSplitTest {

  @ParameterizedTest
  @CsvSource({"1, 1, 1", "2, 1, 1", "3, 1, 2", "4, 2, 2", "8, 4, 4", "9, 4, 5", "64, 32, 32"})
  void theEventLoopsTakeHalfTheProcessorsAndTheCarriersTheRestEachAtLeastOne(int processors, int loops, int carriers) {
    assertThat(ProcessorSplit.eventLoops(processors)).isEqualTo(loops);
    assertThat(ProcessorSplit.carriers(processors)).isEqualTo(carriers);
  }
}
