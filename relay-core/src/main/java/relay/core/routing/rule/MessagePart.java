package relay.core.routing.rule;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.routing.header.HeaderEdit;

/**
 * One copy of a message to send: the recipients that share a connector, an envelope sender, header
 * edits and a TLS requirement. A message whose recipients route differently is split into parts,
 * each keeping only its own recipients.
 *
 * <p>Invariant: at least one recipient. Immutable and thread-safe.
 */
public record MessagePart(
    String connector, MailPath sender, List<Recipient> recipients, List<HeaderEdit> headerEdits, boolean requireTls) {

  public MessagePart {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(sender, "sender");
    recipients = List.copyOf(recipients);
    headerEdits = List.copyOf(headerEdits);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a message part has at least one recipient");
    }
  }
}
