package relay.core.dsn;

import java.time.ZoneId;
import relay.core.envelope.MailParameters;

/**
 * The body of the {@code message/delivery-status} part (RFC 3464 section 2): the per-message
 * fields, then one block per recipient, each block after an empty line, fields in the order of the
 * RFC's grammar. 7-bit by construction: every value passes through {@link FieldText}. Stateless.
 */
final class StatusFields {

  private StatusFields() {}

  static String render(DeliveryStatusNotification dsn) {
    DeliveryReport report = dsn.report();
    ZoneId zone = dsn.settings().zone();
    StringBuilder out = new StringBuilder(512);
    MailParameters parameters = report.envelope().parameters();
    if (parameters.envelopeId() != null) {
      field(out, "Original-Envelope-Id", FieldText.decodeXtext(parameters.envelopeId()));
    }
    field(out, "Reporting-MTA", "dns; " + report.reportingMta());
    // An extension field (RFC 3464 section 3) so that a report can be matched to the queue and logs.
    field(out, "X-Relay-Queue-ID", report.queueId().value());
    field(out, "Arrival-Date", MailDate.format(report.envelope().receivedAt(), zone));
    for (RecipientReport r : report.recipients()) {
      out.append("\r\n");
      if (r.recipient().originalRecipient() != null) {
        // RFC 3461 section 6.3: present exactly when ORCPT was given, taken from it.
        field(out, "Original-Recipient", FieldText.originalRecipient(r.recipient().originalRecipient()));
      }
      field(out, "Final-Recipient", FieldText.typedAddress(r.recipient().address().address()));
      field(out, "Action", r.action().fieldValue());
      field(out, "Status", r.status().toString());
      if (r.remoteMta() != null) {
        field(out, "Remote-MTA", "dns; " + FieldText.printable(r.remoteMta()));
      }
      if (r.diagnosticCode() != null) {
        // "smtp" types a reply from an SMTP server; a local reason gets our own X- type.
        field(out, "Diagnostic-Code", FieldText.printable(r.diagnosticCode()));
      }
      if (r.lastAttempt() != null) {
        field(out, "Last-Attempt-Date", MailDate.format(r.lastAttempt(), zone));
      }
      if (r.willRetryUntil() != null) {
        field(out, "Will-Retry-Until", MailDate.format(r.willRetryUntil(), zone));
      }
    }
    return out.toString();
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(HeaderField.fold(name, value)).append("\r\n");
  }
}
