package relay.core.dsn;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;

/**
 * One event worth reporting for one queued message: the input of {@link DsnBuilder}.
 *
 * <p>The arrival date is the envelope's {@code receivedAt}. Invariant: at least one recipient, each
 * one of the envelope's recipients; immutable.
 *
 * @param envelope the original envelope (sender, RET, ENVID, recipients with NOTIFY and ORCPT)
 * @param queueId the queue id of the original message
 * @param reportingMta Relay's own host name, as written in {@code Reporting-MTA: dns; ...}
 * @param recipients what happened to each recipient concerned by this event, in envelope order
 */
public record DeliveryReport(
    Envelope envelope, MessageId queueId, String reportingMta, List<RecipientReport> recipients) {

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,255}");

  public DeliveryReport {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(reportingMta, "reportingMta");
    if (!HOST.matcher(reportingMta).matches()) {
      throw new IllegalArgumentException("not a host name: '" + reportingMta + "'");
    }
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a report concerns at least one recipient");
    }
    for (RecipientReport r : recipients) {
      if (!envelope.recipients().contains(r.recipient())) {
        throw new IllegalArgumentException("not a recipient of this message: " + r.recipient().address());
      }
    }
  }

  DeliveryReport withRecipients(List<RecipientReport> kept) {
    return new DeliveryReport(envelope, queueId, reportingMta, kept);
  }
}
