package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;

class ReadyLaneTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final Pacing PACING = new Pacing(2, 100, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 100,
      Duration.ofMinutes(5), Duration.ofMinutes(2));
  private static final LaneRule.Demand ONE = new LaneRule.Demand("relay@example.com", 1, 1);

  @Test
  void throttlingLowersTheAttemptsAtOnceAndRestsTheLaneDeliveringRaisesThemAgain() {
    ReadyLane lane = new ReadyLane("relay@example.com", 2, PACING);
    assertThat(lane.turn(ONE, T0)).isEmpty();
    lane.take();
    assertThat(lane.turn(ONE, T0)).isEmpty();
    lane.take();
    assertThat(lane.hasRoom()).isFalse();

    lane.end(ONE, T0, true, false);
    assertThat(lane.limit()).isEqualTo(1);
    assertThat(lane.hasRoom()).as("one still under way, the limit is one now").isFalse();
    assertThat(lane.turn(ONE, T0.plusSeconds(10))).as("resting after the throttle").isPresent();
    assertThat(lane.notBefore()).contains(T0.plus(Duration.ofMinutes(5)));

    lane.end(ONE, T0.plus(Duration.ofMinutes(6)), false, true);
    assertThat(lane.limit()).isEqualTo(2);
    assertThat(lane.turn(ONE, T0.plus(Duration.ofMinutes(6)))).isEmpty();
    assertThat(lane.notBefore()).isEmpty();
  }

  @Test
  void aThrottleThatAsksForALongerRestThanThePauseRestsTheLaneThatLong() {
    ReadyLane lane = new ReadyLane("relay@example.com", 2, PACING);
    assertThat(lane.turn(ONE, T0)).isEmpty();
    lane.take();

    lane.end(ONE, T0, true, false, Duration.ofMinutes(20));
    assertThat(lane.turn(ONE, T0.plus(Duration.ofMinutes(6)))).as("the 5-minute pause is over, Retry-After is not")
        .isPresent();
    assertThat(lane.notBefore()).contains(T0.plus(Duration.ofMinutes(20)));
    assertThat(lane.turn(ONE, T0.plus(Duration.ofMinutes(20)))).isEmpty();
  }

  @Test
  void aShorterRetryAfterThanThePauseKeepsThePause() {
    ReadyLane lane = new ReadyLane("relay@example.com", 2, PACING);
    assertThat(lane.turn(ONE, T0)).isEmpty();
    lane.take();

    lane.end(ONE, T0, true, false, Duration.ofSeconds(1));
    assertThat(lane.turn(ONE, T0.plusSeconds(2))).isPresent();
    assertThat(lane.notBefore()).contains(T0.plus(Duration.ofMinutes(5)));
  }
}
