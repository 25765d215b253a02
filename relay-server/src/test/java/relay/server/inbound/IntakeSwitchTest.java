package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.session.Intake;

/** The drained state outlives the process that set it, until undone; a damaged record still means drained. */
class IntakeSwitchTest {

  private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");

  @TempDir Path home;

  @Test
  void drainedIsReadBackAfterARestartUntilUndone() throws Exception {
    IntakeSwitch first = IntakeSwitch.open(home, InstantSource.fixed(NOW));
    assertThat(first.current().intake()).isEqualTo(Intake.OPEN);
    assertThat(first.drain("ops")).isTrue();
    assertThat(first.drain("ops")).isFalse();

    IntakeSwitch restarted = IntakeSwitch.open(home, InstantSource.fixed(NOW.plusSeconds(600)));
    assertThat(restarted.current()).isEqualTo(new IntakeState.Drained(NOW, "ops"));
    assertThat(restarted.accept("ops")).isTrue();

    assertThat(Files.exists(home.resolve(IntakeSwitch.FILE))).isFalse();
    assertThat(IntakeSwitch.open(home, InstantSource.fixed(NOW)).current()).isEqualTo(new IntakeState.Accepting());
  }

  @Test
  void aDamagedRecordStillMeansDrained() throws Exception {
    Files.writeString(home.resolve(IntakeSwitch.FILE), "since=yesterday\n\u0000\u0000");

    IntakeState state = IntakeSwitch.open(home, InstantSource.fixed(NOW)).current();

    assertThat(state.intake()).isEqualTo(Intake.DRAINED);
  }
}
