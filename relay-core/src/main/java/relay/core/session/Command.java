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

  /**
   * BDAT (RFC 3030): exactly {@code size} octets of message content follow the command line, taken
   * as they are; {@code last} ends the message.
   */
  record Bdat(long size, boolean last) implements Command {
    public Bdat {
      if (size < 0) {
        throw new IllegalArgumentException("negative chunk size");
      }
    }
  }

  /**
   * A BDAT line whose chunk size (or end marker) cannot be read. Unlike any other bad command it
   * cannot just be refused: the octets after it are content of unknown length, and reading them as
   * commands would run whatever the chunk holds.
   */
  record MalformedBdat() implements Command {}

  record Rset() implements Command {}

  record Noop() implements Command {}

  record Quit() implements Command {}

  record Help() implements Command {}

  record Vrfy() implements Command {}

  /**
   * AUTH (RFC 4954): a SASL mechanism name (upper case) and the initial response as sent (base64,
   * or {@code =} for an empty one), or null when the client sent none.
   */
  record Auth(String mechanism, String initialResponse) implements Command {
    public Auth {
      Objects.requireNonNull(mechanism, "mechanism");
    }

    @Override
    public String toString() {
      // The initial response carries the password: never print it.
      return "Auth[" + mechanism + (initialResponse == null ? "" : " <initial response>") + "]";
    }
  }

  record StartTls() implements Command {}

  /**
   * A PROXY protocol v1 header arriving as a command: only a configured load balancer may name the
   * client, and its header is read before the session begins, so here it is always refused.
   */
  record ProxyHeader() implements Command {}

  /** A verb Relay does not implement. */
  record Unknown(String verb) implements Command {}

  /** A known verb whose arguments were refused; {@code reply} says why. */
  record Invalid(SmtpReply reply) implements Command {
    public Invalid {
      Objects.requireNonNull(reply, "reply");
    }
  }
}
