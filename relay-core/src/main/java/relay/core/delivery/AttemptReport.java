package relay.core.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import relay.core.reply.SmtpReply;

/**
 * What one delivery attempt learned about one recipient, as values: either the upstream's reply
 * ({@link Replied}), or, when no reply decides the outcome, the local cause and reason
 * ({@link Local}); with the upstream hop whenever a connection was made. It travels unchanged from
 * the transport to the spool, the delivery status notification, the tracking log and the metrics,
 * so that nothing downstream ever parses a reply back out of text.
 *
 * <p>{@link #line()} (also {@link #toString()}) is a derived one-line text for log lines and the
 * admin API; it is never read back.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface AttemptReport {

  /** The upstream connected to, or null when no connection was made (or it is not known). */
  UpstreamHop hop();

  /**
   * One line for logs: {@code 550 5.1.1 User unknown (mx.example[192.0.2.1])}, or the local reason
   * with the hop when there was one.
   */
  default String line() {
    String said = switch (this) {
      case Replied r -> r.reply().toString();
      case Local l -> l.reason();
    };
    return hop() == null ? said : said + " (" + hop() + ")";
  }

  /** How long the upstream asked not to be sent to again, when it said so ({@link Replied#retryAfter}). */
  default Optional<Duration> restAtLeast() {
    return switch (this) {
      case Replied r -> Optional.ofNullable(r.retryAfter());
      case Local l -> Optional.empty();
    };
  }

  /**
   * The upstream answered: its reply decides the outcome.
   *
   * @param hop the upstream that gave the reply; null only for replies recorded as text by an
   *     earlier release (read back from the spool), or made up by tests
   * @param retryAfter how long the upstream asked to be left alone (Microsoft Graph's
   *     {@code Retry-After} on a 429), or null when it did not say; when the classifier calls the
   *     reply throttling, the sending mailbox rests at least this long. Kept in memory only: the
   *     spool records the reply, not the rest, which is over long before a restart matters.
   */
  record Replied(SmtpReply reply, UpstreamHop hop, Duration retryAfter) implements AttemptReport {
    public Replied {
      Objects.requireNonNull(reply, "reply");
      if (retryAfter != null && retryAfter.isNegative()) {
        retryAfter = Duration.ZERO;
      }
    }

    /** A reply from {@code hop} that asked for no particular rest. */
    public Replied(SmtpReply reply, UpstreamHop hop) {
      this(reply, hop, null);
    }

    /** A reply without a known hop. */
    public Replied(SmtpReply reply) {
      this(reply, null, null);
    }

    @Override
    public String toString() {
      return line();
    }
  }

  /**
   * No reply decides the outcome: the connection failed, TLS could not be had, DNS said no, the
   * mailbox is paced, the folder was written, ...
   *
   * @param cause what kind of event it was (its meaning is the classifier's, its status the cause's)
   * @param reason what happened, in words for operators (host names, the system's error); line
   *     breaks are folded into spaces
   * @param hop the upstream when a connection had been made (a conversation that broke off), or null
   */
  record Local(LocalCause cause, String reason, UpstreamHop hop) implements AttemptReport {
    public Local {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(reason, "reason");
      // Reasons come from exception messages of libraries; one line is what every reader expects.
      reason = reason.replaceAll("[\\r\\n]+", " ").strip();
    }

    /** A local event without a connection. */
    public Local(LocalCause cause, String reason) {
      this(cause, reason, null);
    }

    @Override
    public String toString() {
      return line();
    }
  }
}
