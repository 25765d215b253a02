package relay.core.spool;

import java.util.Objects;
import relay.core.envelope.Recipient;

/**
 * The delivery state of one recipient of a queued message.
 *
 * @param recipient the recipient as received
 * @param status pending, delivered or finally failed
 * @param attempts how many delivery attempts included this recipient
 * @param lastReply the last upstream reply or failure reason for this recipient, or null
 */
public record RecipientState(Recipient recipient, RecipientStatus status, int attempts, String lastReply) {

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
