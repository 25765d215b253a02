package relay.core.delivery;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;

/**
 * One delivery attempt handed to a {@link Transport}: the message, its sender and parameters, the
 * recipients still pending, and the content to send unchanged.
 */
public record DeliveryRequest(
    MessageId id, MailPath sender, MailParameters parameters, List<Recipient> recipients, MessageBody body) {

  public DeliveryRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(body, "body");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a delivery has at least one recipient");
    }
  }
}
