package relay.core.spool;

import java.util.Objects;
import relay.core.delivery.AttemptReport;
import relay.core.envelope.Recipient;

/**
 * The delivery state of one recipient of a queued message.
 *
 * @param recipient the recipient as received
 * @param status pending, delivered or finally failed
 * @param attempts how many delivery attempts included this recipient
 * @param lastReply what the last attempt learned for this recipient, as values: the upstream's
 *     reply (code, enhanced status, text) or the local cause and reason, with the upstream host
 *     when a connection was made; null before the first attempt
 */
public record RecipientState(Recipient recipient, RecipientStatus status, int attempts, AttemptReport lastReply) {

  public RecipientState {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(status, "status");
    if (attempts < 0) {
      throw new IllegalArgumentException("negative attempts");
    }
  }

  public static RecipientState pending(Recipient recipient) {
    return new RecipientState(recipient, RecipientStatus.PENDING, 0, null);
  }
}
