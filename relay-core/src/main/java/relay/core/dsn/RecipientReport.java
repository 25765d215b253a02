package relay.core.dsn;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;

/**
 * What a notification says about one recipient (RFC 3464 section 2.3).
 *
 * <p>Use the factories: they pick the {@code Status} from the upstream reply when it carries an
 * RFC 3463 code of the right class, else a code that names the event (5.0.0 for a permanent
 * failure, 4.4.7 "delivery time expired" for expiry, 4.0.0 for a delay, 2.0.0 for success).
 *
 * <p>Invariant: the status class fits the action (2 for success actions, 4 for delayed, 4 or 5 for
 * failed, 4 only when the queue lifetime ran out); {@code willRetryUntil} only for
 * {@link DsnAction#DELAYED}. Immutable.
 *
 * @param recipient the recipient as received, with its NOTIFY set and ORCPT
 * @param action what happened
 * @param status the RFC 3463 status reported
 * @param remoteMta the host name of the server that gave the reply, or null
 * @param diagnostic the upstream reply on one line ({@code 550 5.1.1 ...}) or a local reason such
 *     as a connection failure, or null
 * @param lastAttempt when delivery was last attempted, or null
 * @param willRetryUntil until when delivery will be retried (delays only), or null
 */
public record RecipientReport(
    Recipient recipient,
    DsnAction action,
    EnhancedStatus status,
    String remoteMta,
    String diagnostic,
    Instant lastAttempt,
    Instant willRetryUntil) {

  private static final Pattern REPLY = Pattern.compile("^([2-5])\\d\\d(?:[ -]([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$))?");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_\\[\\]-]{1,255}");

  public RecipientReport {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(status, "status");
    if (remoteMta != null && !HOST.matcher(remoteMta).matches()) {
      throw new IllegalArgumentException("not a host name: '" + remoteMta + "'");
    }
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
  public static RecipientReport failed(Recipient recipient, String reply, String remoteMta, Instant lastAttempt) {
    return new RecipientReport(recipient, DsnAction.FAILED, statusOf(reply, 5, new EnhancedStatus(5, 0, 0)),
        remoteMta, reply, lastAttempt, null);
  }

  /** The queue lifetime ran out while the recipient was still failing transiently. */
  public static RecipientReport expired(Recipient recipient, String lastReply, String remoteMta, Instant lastAttempt) {
    return new RecipientReport(recipient, DsnAction.FAILED, statusOf(lastReply, 4, new EnhancedStatus(4, 4, 7)),
        remoteMta, lastReply, lastAttempt, null);
  }

  /** Still being retried, until {@code willRetryUntil}. */
  public static RecipientReport delayed(
      Recipient recipient, String lastReply, String remoteMta, Instant lastAttempt, Instant willRetryUntil) {
    Objects.requireNonNull(willRetryUntil, "willRetryUntil");
    return new RecipientReport(recipient, DsnAction.DELAYED, statusOf(lastReply, 4, new EnhancedStatus(4, 0, 0)),
        remoteMta, lastReply, lastAttempt, willRetryUntil);
  }

  /** Delivered (NOTIFY=SUCCESS reports). */
  public static RecipientReport delivered(Recipient recipient, String reply, String remoteMta, Instant at) {
    return new RecipientReport(recipient, DsnAction.DELIVERED, statusOf(reply, 2, new EnhancedStatus(2, 0, 0)),
        remoteMta, reply, at, null);
  }

  /** Relayed to a next hop that will not report success (NOTIFY=SUCCESS reports). */
  public static RecipientReport relayed(Recipient recipient, String reply, String remoteMta, Instant at) {
    return new RecipientReport(recipient, DsnAction.RELAYED, statusOf(reply, 2, new EnhancedStatus(2, 0, 0)),
        remoteMta, reply, at, null);
  }

  /** True when {@link #diagnostic()} is an SMTP reply (three-digit code first), not a local reason. */
  public boolean diagnosticIsSmtpReply() {
    return diagnostic != null && REPLY.matcher(diagnostic).find();
  }

  /** The enhanced status in {@code reply} when it is of {@code wantedClass}, else {@code fallback}. */
  static EnhancedStatus statusOf(String reply, int wantedClass, EnhancedStatus fallback) {
    if (reply == null) {
      return fallback;
    }
    Matcher m = REPLY.matcher(reply);
    if (!m.find() || m.group(2) == null || Integer.parseInt(m.group(2)) != wantedClass
        || Integer.parseInt(m.group(1)) != wantedClass) {
      return fallback;
    }
    return new EnhancedStatus(wantedClass, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
  }
}
