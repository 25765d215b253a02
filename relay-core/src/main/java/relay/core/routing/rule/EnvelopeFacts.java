package relay.core.routing.rule;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/**
 * What is known about a message by RCPT time: the inputs of envelope-phase rules.
 *
 * <p>Invariant: lists are immutable copies; at RCPT time {@code recipients} holds those accepted so
 * far (it may be empty). Immutable and thread-safe.
 *
 * @param sender the envelope sender ({@link MailPath#NULL} for bounces)
 * @param recipients the recipients of the transaction
 * @param client the client's IP address
 * @param inboundConnector the name of the inbound connector that admitted the client
 * @param authenticatedUser the SMTP AUTH identity, if the client authenticated
 */
public record EnvelopeFacts(
    MailPath sender,
    List<Recipient> recipients,
    InetAddress client,
    String inboundConnector,
    Optional<String> authenticatedUser) {

  public EnvelopeFacts {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(inboundConnector, "inboundConnector");
    Objects.requireNonNull(authenticatedUser, "authenticatedUser");
    recipients = List.copyOf(recipients);
  }

  /** The facts of a complete envelope; the client address must be an IP literal (no DNS lookup). */
  public static EnvelopeFacts of(Envelope envelope, Optional<String> authenticatedUser) {
    return new EnvelopeFacts(
        envelope.sender(),
        envelope.recipients(),
        InetAddress.ofLiteral(envelope.client().address()),
        envelope.client().inboundConnector(),
        authenticatedUser);
  }

  /** The same facts with another recipient list. */
  public EnvelopeFacts withRecipients(List<Recipient> others) {
    return new EnvelopeFacts(sender, others, client, inboundConnector, authenticatedUser);
  }
}
