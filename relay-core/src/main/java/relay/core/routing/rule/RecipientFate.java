package relay.core.routing.rule;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.routing.Route;
import relay.core.routing.header.HeaderEdit;

/**
 * What becomes of one recipient of an accepted message. A closed set; every recipient, original or
 * added by a rule, has exactly one fate, so nothing accepted disappears without a record.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RecipientFate {

  Recipient recipient();

  /**
   * Delivered through {@code route}, with the envelope sender, header edits and TLS requirement the
   * rules decided for this recipient.
   */
  record Deliver(
      Recipient recipient, Route route, MailPath sender, List<HeaderEdit> headerEdits, boolean requireTls)
      implements RecipientFate {
    public Deliver {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(sender, "sender");
      headerEdits = List.copyOf(headerEdits);
    }
  }

  /** Accepted but not delivered, by a rule's discard action. */
  record Discarded(Recipient recipient, String rule) implements RecipientFate {
    public Discarded {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(rule, "rule");
    }
  }

  /** Replaced by another recipient (which has its own fate) by a rule's redirect action. */
  record Redirected(Recipient recipient, MailPath to, String rule) implements RecipientFate {
    public Redirected {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(rule, "rule");
    }
  }

  /**
   * No connector serves this recipient (one added by a rule, or a rule named a connector that does
   * not exist): at RCPT time it is refused with {@code reply}; after acceptance it must be bounced
   * with a DSN carrying {@code reply}.
   */
  record Unroutable(Recipient recipient, SmtpReply reply, String reason) implements RecipientFate {
    public Unroutable {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The fate in words, for traces. */
  default String describe() {
    String who = recipient().address().toString();
    return switch (this) {
      case Deliver d -> who + " -> " + d.route()
          + (d.sender().equals(MailPath.NULL) ? "" : ", from " + d.sender())
          + (d.requireTls() ? ", TLS required" : "")
          + (d.headerEdits().isEmpty() ? "" : ", " + d.headerEdits().size() + " header edit(s)");
      case Discarded d -> who + " discarded by rule '" + d.rule() + "'";
      case Redirected r -> who + " redirected to " + r.to() + " by rule '" + r.rule() + "'";
      case Unroutable u -> who + " unroutable (" + u.reason() + "): " + u.reply();
    };
  }
}
