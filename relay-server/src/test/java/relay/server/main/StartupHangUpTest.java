package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A SIGHUP that arrives while the relay starts is remembered instead of ending the JVM (the JVM's
 * default). Raised in this test's own JVM: without the handler the test run itself would end.
 */
class StartupHangUpTest {

  @Test
  void aHangUpDuringStartUpIsRememberedAndTheProcessLivesOn() {
    StartupHangUp hangUp = StartupHangUp.install();
    assertThat(hangUp.seen()).isFalse();

    sun.misc.Signal.raise(new sun.misc.Signal("HUP"));

    await().atMost(Duration.ofSeconds(5)).until(hangUp::seen);
  }
}
