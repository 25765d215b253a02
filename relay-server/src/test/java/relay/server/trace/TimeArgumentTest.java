package relay.server.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeArgumentTest {

  private static final Instant NOW = Instant.parse("2026-03-03T12:00:00Z");

  @Test
  void spansCountBackFromNow() {
    assertThat(TimeArgument.parse("2h", NOW)).isEqualTo(Instant.parse("2026-03-03T10:00:00Z"));
    assertThat(TimeArgument.parse("3d", NOW)).isEqualTo(Instant.parse("2026-02-28T12:00:00Z"));
    assertThat(TimeArgument.parse("90s", NOW)).isEqualTo(Instant.parse("2026-03-03T11:58:30Z"));
    assertThat(TimeArgument.parse("30m", NOW)).isEqualTo(Instant.parse("2026-03-03T11:30:00Z"));
    assertThat(TimeArgument.parse("1w", NOW)).isEqualTo(Instant.parse("2026-02-24T12:00:00Z"));
    assertThat(TimeArgument.parse("PT2H", NOW)).isEqualTo(Instant.parse("2026-03-03T10:00:00Z"));
  }

  @Test
  void isoInstantsDatesAndLocalTimesAreUtc() {
    assertThat(TimeArgument.parse("2026-03-01T08:00:00Z", NOW)).isEqualTo(Instant.parse("2026-03-01T08:00:00Z"));
    assertThat(TimeArgument.parse("2026-03-01T09:00:00+01:00", NOW)).isEqualTo(Instant.parse("2026-03-01T08:00:00Z"));
    assertThat(TimeArgument.parse("2026-03-01", NOW)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(TimeArgument.parse("2026-03-01T08:00", NOW)).isEqualTo(Instant.parse("2026-03-01T08:00:00Z"));
  }

  @Test
  void anythingElseIsRefusedNamingTheForms() {
    assertThatThrownBy(() -> TimeArgument.parse("yesterday", NOW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2h").hasMessageContaining("2026-03-01");
    assertThatThrownBy(() -> TimeArgument.parse("2x", NOW)).isInstanceOf(IllegalArgumentException.class);
  }
}
