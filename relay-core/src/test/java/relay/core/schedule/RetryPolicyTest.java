package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final Instant ACCEPTED = Instant.parse("2026-03-01T08:00:00Z");

  /** Attempts right when due, until the policy says expired; returns the gaps between attempts. */
  private static List<Duration> gapsUntilExpiry(RetryPolicy policy, java.util.random.RandomGenerator random) {
    List<Duration> gaps = new ArrayList<>();
    Instant now = ACCEPTED;
    for (int attempts = 1; attempts < 10_000; attempts++) {
      switch (policy.next(attempts, ACCEPTED, now, random)) {
        case RetryDecision.RetryAt retry -> {
          gaps.add(Duration.between(now, retry.at()));
          now = retry.at();
        }
        case RetryDecision.Expired expired -> {
          assertThat(expired.deadline()).isEqualTo(ACCEPTED.plus(Duration.ofDays(2)));
          return gaps;
        }
      }
    }
    throw new AssertionError("never expired");
  }

  @Test
  void withoutJitterDelaysDoubleFromOneMinuteUpToOneHourThenExpireAfterTwoDays() {
    RetrySchedule schedule =
        new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(2));

    List<Duration> gaps = gapsUntilExpiry(new RetryPolicy(schedule), new Random(1));

    List<Duration> expected = new ArrayList<>();
    for (long minutes : new long[] {1, 2, 4, 8, 16, 32}) {
      expected.add(Duration.ofMinutes(minutes));
    }
    // 63 minutes are used by the first six; whole hours fit until 2 days would be passed.
    long hourly = (Duration.ofDays(2).toMinutes() - 63) / 60;
    for (int i = 0; i < hourly; i++) {
      expected.add(Duration.ofHours(1));
    }
    assertThat(gaps).containsExactlyElementsOf(expected);
    assertThat(gaps).hasSize(6 + 46);
  }

  @Test
  void sameSeedGivesSameSequence() {
    RetryPolicy policy = new RetryPolicy(RetrySchedule.DEFAULTS);

    assertThat(gapsUntilExpiry(policy, new SplittableRandom(42)))
        .isEqualTo(gapsUntilExpiry(policy, new SplittableRandom(42)));
  }

  @Test
  void jitterStaysWithinTwentyPercentAndNeverExceedsTheCap() {
    RetryPolicy policy = new RetryPolicy(RetrySchedule.DEFAULTS);
    SplittableRandom random = new SplittableRandom(7);
    List<Duration> firstDelays = new ArrayList<>();

    for (int i = 0; i < 2_000; i++) {
      for (int attempts = 1; attempts <= 10; attempts++) {
        Duration base = Duration.ofMinutes(Math.min(60, 1L << (attempts - 1)));
        Duration delay = policy.delayAfter(attempts, random);
        assertThat(delay).isBetween(scale(base, 0.8), scale(base, 1.2));
        assertThat(delay).isLessThanOrEqualTo(Duration.ofHours(1));
        if (attempts == 1) {
          firstDelays.add(delay);
        }
      }
    }
    // The spread is really used, both ways.
    assertThat(firstDelays).anyMatch(d -> d.compareTo(Duration.ofSeconds(50)) < 0);
    assertThat(firstDelays).anyMatch(d -> d.compareTo(Duration.ofSeconds(70)) > 0);
  }

  @Test
  void attemptThatWouldFallPastTheLifetimeExpires() {
    RetrySchedule schedule =
        new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofMinutes(30));
    RetryPolicy policy = new RetryPolicy(schedule);

    assertThat(policy.next(1, ACCEPTED, ACCEPTED.plus(Duration.ofMinutes(20)), new Random(1)))
        .isEqualTo(new RetryDecision.RetryAt(ACCEPTED.plus(Duration.ofMinutes(30))));
    assertThat(policy.next(2, ACCEPTED, ACCEPTED.plus(Duration.ofMinutes(21)), new Random(1)))
        .isInstanceOf(RetryDecision.Expired.class);
  }

  @Test
  void hugeAttemptCountsStayAtTheCap() {
    RetryPolicy policy = new RetryPolicy(
        new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(2)));

    assertThat(policy.delayAfter(5_000, new Random(1))).isEqualTo(Duration.ofHours(1));
  }

  private static Duration scale(Duration d, double factor) {
    return Duration.ofNanos(Math.round(d.toNanos() * factor));
  }
}
