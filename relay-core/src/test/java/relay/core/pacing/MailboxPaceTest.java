package relay.core.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;

class MailboxPaceTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final Pacing SMALL = new Pacing(2, 3, Duration.ofMinutes(1), 10, Duration.ofHours(24), 5,
      Duration.ofMinutes(5), Duration.ofMinutes(2));

  @Test
  void messagesOverThePerMinuteLimitWaitUntilTheOldestLeavesTheWindow() {
    MailboxPace pace = new MailboxPace(SMALL);

    for (int i = 0; i < 3; i++) {
      assertThat(pace.reserve(1, T0.plusSeconds(10 * i))).isEqualTo(new Turn.Go());
      pace.sent(T0.plusSeconds(10 * i));
    }
    Turn fourth = pace.reserve(1, T0.plusSeconds(30));

    assertThat(fourth).isInstanceOfSatisfying(Turn.WaitUntil.class,
        w -> assertThat(w.at()).isEqualTo(T0.plusSeconds(60)));
    assertThat(pace.reserve(1, T0.plusSeconds(59))).isInstanceOf(Turn.WaitUntil.class);
    assertThat(pace.reserve(1, T0.plusSeconds(60))).isEqualTo(new Turn.Go());
  }

  @Test
  void messagesStillBeingSentCountAndTheirWindowStartsWhenTheyFinish() {
    MailboxPace pace = new MailboxPace(SMALL);
    for (int i = 0; i < 3; i++) {
      pace.reserve(1, T0);
    }
    assertThat(pace.reserve(1, T0.plusSeconds(5))).isInstanceOf(Turn.WaitUntil.class);

    pace.sent(T0.plusSeconds(30));
    pace.sent(T0.plusSeconds(30));
    pace.sent(T0.plusSeconds(30));

    assertThat(pace.reserve(1, T0.plusSeconds(60))).isInstanceOfSatisfying(Turn.WaitUntil.class,
        w -> assertThat(w.at()).isEqualTo(T0.plusSeconds(90)));
  }

  @Test
  void recipientsOverTheRollingDayAreDeferredUntilEnoughLeaveTheWindow() {
    MailboxPace pace = new MailboxPace(SMALL);
    pace.reserve(4, T0);
    pace.sent(T0);
    pace.reserve(4, T0.plus(Duration.ofHours(1)));
    pace.sent(T0.plus(Duration.ofHours(1)));

    Turn over = pace.reserve(3, T0.plus(Duration.ofHours(2)));

    assertThat(over).isInstanceOfSatisfying(Turn.WaitUntil.class, w -> {
      assertThat(w.at()).isEqualTo(T0.plus(Duration.ofHours(24)));
      assertThat(w.reason()).contains("10 recipients");
    });
    assertThat(pace.reserve(2, T0.plus(Duration.ofHours(2)))).isEqualTo(new Turn.Go());
    pace.sent(T0.plus(Duration.ofHours(2)));
    assertThat(pace.recipientsInWindow(T0.plus(Duration.ofHours(2)))).isEqualTo(10);
    assertThat(pace.reserve(3, T0.plus(Duration.ofHours(24)))).isEqualTo(new Turn.Go());
  }

  @Test
  void throttlingPausesTheMailbox() {
    MailboxPace pace = new MailboxPace(SMALL);
    pace.throttled(T0);

    assertThat(pace.reserve(1, T0.plusSeconds(299))).isInstanceOfSatisfying(Turn.WaitUntil.class,
        w -> assertThat(w.at()).isEqualTo(T0.plus(Duration.ofMinutes(5))));
    assertThat(pace.reserve(1, T0.plusSeconds(300))).isEqualTo(new Turn.Go());
  }

  @Test
  void messageSplitIntoSeveralTransactionsCostsATurnEachAndAnOversizedOneStillGoesAlone() {
    MailboxPace pace = new MailboxPace(SMALL);

    assertThat(pace.reserve(2, 2, T0)).isEqualTo(new Turn.Go());
    assertThat(pace.reserve(2, 2, T0)).as("2 + 2 transactions exceed 3 a minute").isInstanceOf(Turn.WaitUntil.class);
    pace.sent(2, T0.plusSeconds(1));
    assertThat(pace.reserve(1, 1, T0.plusSeconds(2))).isEqualTo(new Turn.Go());
    pace.sent(1, T0.plusSeconds(2));

    MailboxPace fresh = new MailboxPace(SMALL);
    assertThat(fresh.reserve(5, 5, T0)).as("more transactions than the window allows, nothing else counted")
        .isEqualTo(new Turn.Go());
  }
}
