package relay.core.connector;

import java.util.Locale;
import java.util.Objects;
import relay.core.envelope.MailPath;

/**
 * Which mailbox submits mail from which envelope senders through an {@code smtp-auth} connector.
 *
 * <p>{@code sender} is an exact address ({@code scanner@contoso.com}), a whole domain
 * ({@code *@contoso.com}), {@code <>} (the null sender: delivery status notifications, Relay's own
 * included) or {@code *} (the default, which also covers the null sender when no {@code <>} entry
 * exists). {@code rewriteTo}, when set, replaces the
 * envelope sender and the {@code From:} header (the original {@code From:} becomes
 * {@code Reply-To:}) for senders no mailbox may send as, such as a device's {@code scanner@localhost}.
 * {@code credential}, when set, overrides the connector's credential for this mailbox. Immutable.
 */
public record SenderIdentity(String sender, String mailbox, String rewriteTo, SubmissionCredential credential) {

  /** The pattern that matches every sender. */
  public static final String ANY = "*";
  /** The pattern that matches only the null sender {@code <>}: notifications. */
  public static final String NULL_SENDER = "<>";

  public SenderIdentity {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(mailbox, "mailbox");
    sender = sender.toLowerCase(Locale.ROOT);
    if (!sender.equals(ANY) && !sender.equals(NULL_SENDER) && !sender.startsWith("*@") && (sender.indexOf('@') <= 0 || sender.contains("*"))) {
      throw new IllegalArgumentException("sender must be an address, *@domain or *: " + sender);
    }
  }

  /** How specific the pattern is: 2 for an address or {@code <>}, 1 for a domain, 0 for the default. */
  int specificity() {
    return sender.equals(ANY) ? 0 : sender.startsWith("*@") ? 1 : 2;
  }

  boolean matches(MailPath path) {
    if (sender.equals(ANY)) {
      return true;
    }
    if (sender.equals(NULL_SENDER) || path.isNull()) {
      return sender.equals(NULL_SENDER) && path.isNull();
    }
    String address = path.address().toLowerCase(Locale.ROOT);
    return sender.startsWith("*@") ? address.endsWith(sender.substring(1)) : address.equals(sender);
  }
}
