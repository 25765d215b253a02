package relay.core.dsn;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.MailPath;

/**
 * When the running relay sends delivery status notifications, and to whom.
 *
 * <p>Invariant: the delay is not negative ({@link Duration#ZERO} turns delay notices off); a report
 * address is never the null path. Immutable and thread-safe.
 *
 * @param enabled false to send no notification at all (failed recipients are only logged)
 * @param reportAddress where every notification goes instead of the envelope sender (for device
 *     senders that cannot receive mail), or null to answer the envelope sender
 * @param delayNoticeAfter how long a message may wait in the queue before its sender hears, once,
 *     that it is delayed; zero for never
 */
public record DsnPolicy(boolean enabled, MailPath reportAddress, Duration delayNoticeAfter) {

  /** Notifications on, to the envelope sender, a delay notice after four hours. */
  public static final DsnPolicy DEFAULTS = new DsnPolicy(true, null, Duration.ofHours(4));

  /** No notifications at all. */
  public static final DsnPolicy OFF = new DsnPolicy(false, null, Duration.ZERO);

  public DsnPolicy {
    Objects.requireNonNull(delayNoticeAfter, "delayNoticeAfter");
    if (delayNoticeAfter.isNegative()) {
      throw new IllegalArgumentException("negative delay-notice-after");
    }
    if (reportAddress != null && reportAddress.isNull()) {
      throw new IllegalArgumentException("the report address cannot be the null path");
    }
  }

  /** The delay after which a notice is sent, empty when delay notices are off. */
  public Optional<Duration> delayNotice() {
    return enabled && !delayNoticeAfter.isZero() ? Optional.of(delayNoticeAfter) : Optional.empty();
  }

  /** The builder settings: defaults for returned content and zone, this policy's report address. */
  public DsnSettings settings() {
    return DsnSettings.DEFAULTS.withReportAddress(reportAddress);
  }
}
