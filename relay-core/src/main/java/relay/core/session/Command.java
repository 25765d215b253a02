package relay.core.session;

import java.util.Objects;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;

/**
 * One SMTP command line, parsed once by {@link CommandParser} into a typed value. A line that could
 * not be parsed becomes {@link Invalid} carrying the precise refusal, or {@link Unknown} for a verb
 * Relay does not know. Immutable.
 */
public sealed interface Command {

  /** EHLO: the client identifies itself and asks for extensions. */
  record Ehlo(String domain) implements Command {
    public Ehlo {
      Objects.requireNonNull(domain, "domain");
    }
  }

  /** HELO: the client identifies itself without extensions. */
  record Helo(String domain) implements Command {
    public Helo {
      Objects.requireNonNull(domain, "domain");
    }
  }

  /** MAIL FROM with its typed ESMTP parameters. */
  record Mail(MailPath sender, MailParameters parameters) implements Command {
    public Mail {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(parameters, "parameters");
    }
  }

  /** RCPT TO with its DSN parameters; {@code postmaster} is true for the bare {@code <postmaster>}. */
  record Rcpt(Recipient recipient, boolean postmaster) implements Command {
    public Rcpt {
      Objects.requireNonNull(recipient, "recipient");
    }
  }

  record Data() implements Command {}

  record Rset() implements Command {}

  record Noop() implements Command {}

  record Quit() implements Command {}

  record Help() implements Command {}

  record Vrfy() implements Command {}

  record StartTls() implements Command {}

  /** A verb Relay does not implement. */
  record Unknown(String verb) implements Command {}

  /** A known verb whose arguments were refused; {@code reply} says why. */
  record Invalid(SmtpReply reply) implements Command {
    public Invalid {
      Objects.requireNonNull(reply, "reply");
    }
  }
}
