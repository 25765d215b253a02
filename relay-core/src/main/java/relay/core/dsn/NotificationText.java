package relay.core.dsn;

import java.time.ZoneId;
import java.util.List;

/**
 * The human-readable first part of a notification: what happened to which recipient, with the
 * upstream reply, grouped by action. Plain, short sentences for people at a printer or help desk.
 * Addresses are shown as they are (they may be UTF-8, in which case the part is sent as UTF-8
 * quoted-printable); replies are reduced to printable ASCII. Stateless.
 */
final class NotificationText {

  private NotificationText() {}

  static String render(DeliveryStatusNotification dsn, ReturnedContent returned) {
    DeliveryReport report = dsn.report();
    ZoneId zone = dsn.settings().zone();
    StringBuilder out = new StringBuilder(1024);
    line(out, "This is the mail delivery system at " + report.reportingMta() + ".");
    for (DsnAction action : DsnAction.values()) {
      List<RecipientReport> group =
          report.recipients().stream().filter(r -> r.action() == action).toList();
      if (group.isEmpty()) {
        continue;
      }
      line(out, "");
      line(out, intro(action));
      for (RecipientReport r : group) {
        line(out, "");
        line(out, "  <" + r.recipient().address().address() + ">");
        if (r.diagnosticText() != null) {
          String said = (r.remoteMta() == null ? "" : r.remoteMta() + " said: ") + FieldText.printable(r.diagnosticText());
          line(out, "      " + said.substring(0, Math.min(said.length(), FieldText.MAX_VALUE)));
        }
        if (action == DsnAction.FAILED && r.status().statusClass() == 4) {
          line(out, "      It could not be delivered within the time allowed.");
        }
        if (r.willRetryUntil() != null) {
          line(out, "      Relay keeps trying until " + MailDate.format(r.willRetryUntil(), zone) + ".");
        }
      }
    }
    line(out, "");
    line(out, "The message was received on " + MailDate.format(report.envelope().receivedAt(), zone));
    line(out, "from <" + report.envelope().sender().address() + "> and queued as " + report.queueId() + ".");
    line(out, switch (returned) {
      case FULL -> "It is attached below.";
      case HEADERS, HEADERS_QUOTED -> "Its header section is attached below.";
    });
    return out.toString();
  }

  private static String intro(DsnAction action) {
    return switch (action) {
      case FAILED -> "Your message could not be delivered to the recipients below.\r\n"
          + "Delivery to them has stopped for good.";
      case DELAYED -> "Your message has not been delivered yet to the recipients below.\r\n"
          + "Delivery is still being tried; there is no need to send it again.";
      case DELIVERED -> "Your message was delivered to the recipients below.";
      case RELAYED -> "Your message was passed on to the mail systems of the recipients below,\r\n"
          + "which do not report delivery.";
      case EXPANDED -> "Your message was delivered to the lists or aliases below and passed on\r\n"
          + "to their members.";
    };
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append("\r\n");
  }
}
