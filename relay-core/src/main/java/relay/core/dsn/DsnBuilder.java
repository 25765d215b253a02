package relay.core.dsn;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.MailPath;

/**
 * Decides whether a delivery event produces a notification, to whom, and about which recipients;
 * the result writes itself as an RFC 3464 / RFC 6522 {@code multipart/report} message.
 *
 * <p>Rules: never a notification about a message from the null path {@code <>} (RFC 5321
 * sections 4.5.5 and 6.1: that would risk loops between notifiers); a recipient with
 * NOTIFY=NEVER is left out; a recipient without NOTIFY gets failure and delay reports (RFC 3461
 * section 4.1 lets the MTA read a missing NOTIFY as {@code FAILURE} or {@code FAILURE,DELAY}; like
 * Postfix we take the latter, so device senders learn early that mail is stuck); success actions
 * only with NOTIFY=SUCCESS. With no recipient left there is no notification. It goes to the
 * configured report address when there is one, else to the envelope sender.
 *
 * <p>Pure apart from the injected token source; stateless and thread-safe when that is.
 */
public final class DsnBuilder {

  private final DsnSettings settings;
  private final DsnTokens tokens;

  public DsnBuilder(DsnSettings settings, DsnTokens tokens) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /**
   * The notification for {@code report}, dated {@code now}, or empty when nobody is to be told.
   */
  public Optional<DeliveryStatusNotification> build(DeliveryReport report, Instant now) {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(now, "now");
    MailPath sender = report.envelope().sender();
    if (sender.isNull()) {
      return Optional.empty();
    }
    List<RecipientReport> kept = report.recipients().stream().filter(DsnBuilder::wantsReport).toList();
    if (kept.isEmpty()) {
      return Optional.empty();
    }
    MailPath target = settings.reportAddress() != null ? settings.reportAddress() : sender;
    String token = tokens.next();
    String messageId = token + "." + report.queueId() + "@" + report.reportingMta();
    String boundary = "=_relay_" + token + "_" + report.queueId();
    return Optional.of(new DeliveryStatusNotification(
        target, report.withRecipients(kept), now, messageId, boundary, settings));
  }

  static boolean wantsReport(RecipientReport report) {
    Set<DsnNotify> notify = report.recipient().notifyOn();
    if (notify.contains(DsnNotify.NEVER)) {
      return false;
    }
    return switch (report.action()) {
      case FAILED -> notify.isEmpty() || notify.contains(DsnNotify.FAILURE);
      case DELAYED -> notify.isEmpty() || notify.contains(DsnNotify.DELAY);
      case DELIVERED, RELAYED, EXPANDED -> notify.contains(DsnNotify.SUCCESS);
    };
  }
}
