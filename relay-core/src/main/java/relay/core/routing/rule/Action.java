package relay.core.routing.rule;

import java.util.Objects;
import relay.core.envelope.MailPath;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderEdit;

/**
 * What a matching mail-flow rule does to the recipients it selected. A closed set: the engine
 * switches over it exhaustively.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Action {

  /** Sends the selected recipients through the named outbound connector (also rule-scoped ones). */
  record RouteVia(String connector) implements Action {
    public RouteVia {
      Objects.requireNonNull(connector, "connector");
    }
  }

  /**
   * Refuses: in-session at RCPT for an envelope rule (that recipient only), or the whole message at
   * the end of DATA for a message rule (SMTP has one reply for the data of all recipients).
   *
   * <p>Invariant: the code is 4xx or 5xx, an enhanced status is present and its class agrees with
   * the code (4.x.x with 4yz, 5.x.x with 5yz).
   */
  record Reject(SmtpReply reply) implements Action {
    public Reject {
      Objects.requireNonNull(reply, "reply");
      if (reply.code() < 400) {
        throw new IllegalArgumentException("a reject needs a 4xx or 5xx code, not " + reply.code());
      }
      if (reply.status() == null) {
        throw new IllegalArgumentException("a reject needs an enhanced status code");
      }
      if (reply.status().statusClass() != reply.code() / 100) {
        throw new IllegalArgumentException("enhanced status " + reply.status()
            + " does not agree with reply code " + reply.code());
      }
    }

    /** {@code Reject.of(550, "5.7.1", "Delivery not authorized")}. */
    public static Reject of(int code, String status, String text) {
      return new Reject(SmtpReply.of(code, status, text));
    }
  }

  /** Accepts the selected recipients silently and delivers nothing to them (the trace records it). */
  record Discard() implements Action {}

  /** Changes the header section of the copies that go to the selected recipients. */
  record EditHeader(HeaderEdit edit) implements Action {
    public EditHeader {
      Objects.requireNonNull(edit, "edit");
    }
  }

  /**
   * Replaces each selected recipient by this address. The new recipient keeps the original's DSN
   * parameters, with ORCPT set to the original address when the client gave none (RFC 3461 4.2).
   */
  record RedirectTo(MailPath address) implements Action {
    public RedirectTo {
      requireMailbox(address);
    }
  }

  /**
   * Adds a recipient that receives a copy (a journal or compliance copy): it appears in no header and
   * asks for no DSN, so the sender never learns of it.
   */
  record AddBcc(MailPath address) implements Action {
    public AddBcc {
      requireMailbox(address);
    }
  }

  /**
   * Replaces the envelope sender (MAIL FROM) of the copies to the selected recipients.
   *
   * <p>Decision: envelope only. Rewriting {@code From:} breaks DKIM signatures and changes who the
   * author appears to be; an operator who wants that too adds {@code EditHeader} actions (set
   * {@code From:}, add {@code Reply-To:}) and sees it spelled out in the rule.
   */
  record RewriteSender(MailPath address) implements Action {
    public RewriteSender {
      requireMailbox(address);
    }
  }

  /** The onward hop for the selected recipients must use TLS (no plain-text fallback). */
  record RequireTls() implements Action {}

  /** The action in words, for traces. */
  default String describe() {
    return switch (this) {
      case RouteVia r -> "route via " + r.connector();
      case Reject r -> "reject with " + r.reply();
      case Discard d -> "discard";
      case EditHeader e -> e.edit().describe();
      case RedirectTo r -> "redirect to " + r.address();
      case AddBcc b -> "add bcc " + b.address();
      case RewriteSender s -> "rewrite sender to " + s.address();
      case RequireTls t -> "require TLS";
    };
  }

  private static void requireMailbox(MailPath address) {
    Objects.requireNonNull(address, "address");
    if (address.isNull()) {
      throw new IllegalArgumentException("an address is needed, not <>");
    }
  }
}
