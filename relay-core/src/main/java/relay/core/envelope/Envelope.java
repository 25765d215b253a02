package relay.core.envelope;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one accepted message: sender, MAIL parameters, recipients (in RCPT order,
 * without duplicates), the client and the time the message was accepted.
 */
public record Envelope(
    MailPath sender,
    MailParameters parameters,
    List<Recipient> recipients,
    ClientInfo client,
    Instant receivedAt) {

  public Envelope {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(receivedAt, "receivedAt");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("an envelope has at least one recipient");
    }
  }
}
