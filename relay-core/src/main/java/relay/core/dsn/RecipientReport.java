package relay.core.dsn;

import java.time.Instant;
import java.util.Objects;
import relay.core.delivery.AttemptReport;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * What a notification says about one recipient (RFC 3464 section 2.3), taken from the fields of
 * the recipient's last {@link AttemptReport}, never from text:
 *
 * <ul>
 *   <li>{@code Remote-MTA: dns; <host>} only when an upstream replied, naming the host that gave
 *       the reply ({@link #remoteMta()}); a local failure (refused connection, DNS, TLS) has none,
 *       as no remote MTA said anything.
 *   <li>{@code Diagnostic-Code: smtp; 550 5.1.1 <text>} for a reply, built from its code, enhanced
 *       status and lines; {@code X-Relay; <reason>} for a local reason ({@link #diagnosticCode()}).
 *   <li>{@code Status} ({@link #status()}), chosen by the factories: the reply's enhanced status
 *       when it is of the class the event calls for (and the reply code agrees); for a local cause,
 *       that cause's RFC 3463 code in the event's class (see {@link relay.core.delivery.LocalCause}:
 *       an expired recipient whose connections were refused is {@code 4.4.1}); otherwise a code that
 *       names the event: 5.0.0 for a permanent failure, 4.4.7 "delivery time expired" for expiry,
 *       4.0.0 for a delay, 2.0.0 for success.
 * </ul>
 *
 * <p>Invariant: the status class fits the action (2 for success actions, 4 for delayed, 4 or 5 for
 * failed, 4 only when the queue lifetime ran out); {@code willRetryUntil} only for
 * {@link DsnAction#DELAYED}. Immutable.
 *
 * @param recipient the recipient as received, with its NOTIFY set and ORCPT
 * @param action what happened
 * @param status the RFC 3463 status reported
 * @param last what the last attempt learned (reply or local reason, and the hop), or null when
 *     nothing is known
 * @param lastAttempt when delivery was last attempted, or null
 * @param willRetryUntil until when delivery will be retried (delays only), or null
 */
public record RecipientReport(
    Recipient recipient,
    DsnAction action,
    EnhancedStatus status,
    AttemptReport last,
    Instant lastAttempt,
    Instant willRetryUntil) {

  public RecipientReport {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(status, "status");
    int expected = switch (action) {
      case FAILED -> status.statusClass() == 4 ? 4 : 5;
      case DELAYED -> 4;
      case DELIVERED, RELAYED, EXPANDED -> 2;
    };
    if (status.statusClass() != expected) {
      throw new IllegalArgumentException("status " + status + " does not fit action " + action.fieldValue());
    }
    if (willRetryUntil != null && action != DsnAction.DELAYED) {
      throw new IllegalArgumentException("Will-Retry-Until only belongs to a delay");
    }
  }

  /** A permanent failure, e.g. {@code 550 5.1.1 User unknown} from the upstream. */
  public static RecipientReport failed(Recipient recipient, AttemptReport last, Instant lastAttempt) {
    return new RecipientReport(recipient, DsnAction.FAILED, statusOf(last, 5, new EnhancedStatus(5, 0, 0)),
        last, lastAttempt, null);
  }

  /** The queue lifetime ran out while the recipient was still failing transiently. */
  public static RecipientReport expired(Recipient recipient, AttemptReport last, Instant lastAttempt) {
    return new RecipientReport(recipient, DsnAction.FAILED, statusOf(last, 4, new EnhancedStatus(4, 4, 7)),
        last, lastAttempt, null);
  }

  /** Still being retried, until {@code willRetryUntil}. */
  public static RecipientReport delayed(
      Recipient recipient, AttemptReport last, Instant lastAttempt, Instant willRetryUntil) {
    Objects.requireNonNull(willRetryUntil, "willRetryUntil");
    return new RecipientReport(recipient, DsnAction.DELAYED, statusOf(last, 4, new EnhancedStatus(4, 0, 0)),
        last, lastAttempt, willRetryUntil);
  }

  /** Delivered (NOTIFY=SUCCESS reports). */
  public static RecipientReport delivered(Recipient recipient, AttemptReport last, Instant at) {
    return new RecipientReport(recipient, DsnAction.DELIVERED, statusOf(last, 2, new EnhancedStatus(2, 0, 0)),
        last, at, null);
  }

  /** Relayed to a next hop that will not report success (NOTIFY=SUCCESS reports). */
  public static RecipientReport relayed(Recipient recipient, AttemptReport last, Instant at) {
    return new RecipientReport(recipient, DsnAction.RELAYED, statusOf(last, 2, new EnhancedStatus(2, 0, 0)),
        last, at, null);
  }

  /** The host name of the upstream that gave the reply, for {@code Remote-MTA}; null without a reply. */
  public String remoteMta() {
    return last instanceof AttemptReport.Replied replied && replied.hop() != null ? replied.hop().name() : null;
  }

  /**
   * The {@code Diagnostic-Code} value, typed: {@code smtp; 550 5.1.1 text} for a reply,
   * {@code X-Relay; reason} for a local reason (an extension type, RFC 3464 section 2.3.6); null
   * when nothing is known. Not yet made safe for a header field: see {@link FieldText#printable}.
   */
  public String diagnosticCode() {
    return switch (last) {
      case null -> null;
      case AttemptReport.Replied replied -> "smtp; " + replied.reply();
      case AttemptReport.Local local -> "X-Relay; " + local.reason();
    };
  }

  /** What the upstream said ({@code 550 5.1.1 text}) or the local reason, for people; null when unknown. */
  public String diagnosticText() {
    return switch (last) {
      case null -> null;
      case AttemptReport.Replied replied -> replied.reply().toString();
      case AttemptReport.Local local -> local.reason();
    };
  }

  /** The status {@code last} gives for an event of {@code wantedClass}, else {@code fallback}. */
  static EnhancedStatus statusOf(AttemptReport last, int wantedClass, EnhancedStatus fallback) {
    return switch (last) {
      case null -> fallback;
      case AttemptReport.Replied replied -> {
        SmtpReply reply = replied.reply();
        EnhancedStatus status = reply.status();
        yield status != null && status.statusClass() == wantedClass && reply.code() / 100 == wantedClass
            ? status : fallback;
      }
      case AttemptReport.Local local ->
          local.cause().hasSpecificStatus() ? local.cause().status(wantedClass) : fallback;
    };
  }
}
