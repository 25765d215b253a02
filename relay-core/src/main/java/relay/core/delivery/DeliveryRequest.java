package relay.core.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;

/**
 * One delivery attempt handed to a {@link Transport}: the message, its sender and parameters, the
 * recipients still pending, the content to send unchanged, and where and when it was received (for
 * transports that record the envelope, such as a drop folder), and whether a mail-flow rule requires
 * the onward hop to be encrypted ({@code requireTls}: a transport that cannot guarantee TLS must
 * not send the message, and should report a transient failure instead).
 */
public record DeliveryRequest(
    MessageId id,
    MailPath sender,
    MailParameters parameters,
    List<Recipient> recipients,
    MessageBody body,
    ClientInfo client,
    Instant receivedAt,
    boolean requireTls) {

  public DeliveryRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(receivedAt, "receivedAt");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a delivery has at least one recipient");
    }
  }

  /** A request without a TLS requirement beyond the connector's own setting. */
  public DeliveryRequest(
      MessageId id, MailPath sender, MailParameters parameters, List<Recipient> recipients, MessageBody body,
      ClientInfo client, Instant receivedAt) {
    this(id, sender, parameters, recipients, body, client, receivedAt, false);
  }
}
