package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FatalErrorHandlerTest {

  private final List<Integer> halts = new ArrayList<>();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final FatalErrorHandler handler =
      new FatalErrorHandler(halts::add, new PrintStream(err, true, StandardCharsets.UTF_8));

  @Test
  void aVirtualMachineErrorHaltsWithExitCodeThreeAfterSayingWhy() {
    handler.uncaughtException(new Thread("delivery-3"), new OutOfMemoryError("Java heap space"));

    assertThat(halts).containsExactly(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
        "relay: java.lang.OutOfMemoryError: Java heap space in thread delivery-3; halting so that a supervisor restarts it"
            + System.lineSeparator());
  }

  @Test
  void anOrdinaryExceptionOnlyEndsItsThread() {
    handler.uncaughtException(new Thread("reloader"), new IllegalStateException("bug"));

    assertThat(halts).isEmpty();
    assertThat(err.size()).isZero();
  }
}
