package relay.core.connector;

import java.time.Duration;
import java.util.Objects;

/**
 * Sending limits Relay keeps per mailbox, so that Microsoft 365 never has to throttle it. Defaults
 * are Exchange Online's: 3 concurrent sessions, 30 messages a minute, 10,000 recipients per rolling
 * 24 hours, 500 recipients per message. {@code throttlePause} is how long a mailbox rests after the
 * upstream said "too many" ({@code 432 4.3.2}, {@code 554 5.2.0 ...QuotaExceeded}). The scheduler's
 * per-mailbox ready lane keeps them ({@code relay.core.schedule.LaneRule.PerMailbox}). {@code
 * maxWait} is read from older configurations and no longer used: waiting for a turn is never an
 * attempt, so nothing is deferred for it.
 *
 * <p>Invariants: every count at least 1, every duration positive. Immutable.
 */
public record Pacing(
    int maxSessions,
    int messagesPerWindow,
    Duration messageWindow,
    int recipientsPerWindow,
    Duration recipientWindow,
    int recipientsPerMessage,
    Duration throttlePause,
    Duration maxWait) {

  /** Exchange Online's limits. */
  public static final Pacing MICROSOFT_365 = new Pacing(3, 30, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 500,
      Duration.ofMinutes(1), Duration.ofMinutes(2));

  /**
   * Microsoft Graph's limits for sendMail: at most 4 requests at once per mailbox and app, and
   * Exchange Online's 30 messages a minute and 10,000 recipients per 24 hours.
   */
  public static final Pacing MICROSOFT_GRAPH = new Pacing(4, 30, Duration.ofMinutes(1), 10_000, Duration.ofHours(24),
      500, Duration.ofMinutes(1), Duration.ofMinutes(2));

  public Pacing {
    Objects.requireNonNull(messageWindow, "messageWindow");
    Objects.requireNonNull(recipientWindow, "recipientWindow");
    Objects.requireNonNull(throttlePause, "throttlePause");
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxSessions < 1 || messagesPerWindow < 1 || recipientsPerWindow < 1 || recipientsPerMessage < 1) {
      throw new IllegalArgumentException("pacing limits must be at least 1");
    }
    if (!messageWindow.isPositive() || !recipientWindow.isPositive() || !throttlePause.isPositive() || maxWait.isNegative()) {
      throw new IllegalArgumentException("pacing windows must be positive");
    }
  }
}
