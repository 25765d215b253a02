package relay.core.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import relay.core.delivery.AttemptReport;
import relay.core.metrics.SmtpStage;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.session.SessionTls;

/**
 * One event in the life of a message, as the tracking log records it. A closed set; each record
 * names the session (inbound events) or the queued message (delivery events) so events of one
 * message can be joined. Texts here are for operators: they may name rules and replies, never
 * secrets. Immutable and thread-safe.
 */
public sealed interface TrackingEvent {

  /** When the event happened. */
  Instant at();

  /**
   * The message passed every check at the end of DATA and is about to be queued. Its queue ids are
   * not known yet (they are made by the commit that follows): the {@link Routed} lines with the same
   * {@code session} name them.
   *
   * @param messageId the {@code Message-ID} header field as sent, or null when there is none
   * @param subject the {@code Subject} (encoded-words decoded), without control characters and cut
   *     to {@value #SUBJECT_CHARS} characters; empty when there is none
   * @param user the SMTP AUTH identity the client authenticated as, or null
   * @param tls the inbound session's TLS, or null in clear text (or when the handshake's details are
   *     not known)
   */
  record Received(
      Instant at, String session, String client, String inboundConnector, MailPath sender,
      List<MailPath> recipients, long size, DecisionTrace trace, String messageId, String subject, String user,
      SessionTls tls) implements TrackingEvent {

    /** The most of a subject a tracking line keeps: enough to recognise a message. */
    public static final int SUBJECT_CHARS = 200;
    /** The most of a Message-ID a tracking line keeps (RFC 5322 ids are far shorter). */
    public static final int MESSAGE_ID_CHARS = 250;

    public Received {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(trace, "trace");
      recipients = List.copyOf(recipients);
      messageId = OperatorText.clean(messageId, MESSAGE_ID_CHARS);
      messageId = messageId == null || messageId.isEmpty() ? null : messageId;
      subject = subject == null ? "" : OperatorText.clean(subject, SUBJECT_CHARS);
    }
  }

  /** One part of a received message was queued for one connector (several when it was split). */
  record Routed(
      Instant at, String session, MessageId id, String connector, MailPath sender, List<MailPath> recipients,
      boolean requireTls) implements TrackingEvent {
    public Routed {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(sender, "sender");
      recipients = List.copyOf(recipients);
    }
  }

  /** An accepted recipient is not delivered, by a rule's discard or a remote domain's setting. */
  record Discarded(Instant at, String session, MailPath recipient, String why) implements TrackingEvent {
    public Discarded {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(why, "why");
    }
  }

  /**
   * Something was refused in-session, with the reply the client got: the connection (stage
   * {@code connect}: no inbound connector admits the client, or too many connections), AUTH
   * (wrong credentials, or AUTH without TLS), MAIL (TLS or AUTH required, declared size over the
   * limit, sender domain not allowed), a recipient (relaying denied, too many recipients, a rule), or
   * the whole message at its end (size, line length, bare line endings, a rule, the spool).
   * Commands refused for their syntax or sequence are not recorded: they move no mail.
   *
   * @param client the client's IP address
   * @param connector the inbound connector, or null when none admits the client
   * @param sender the transaction's sender, or null before MAIL FROM was accepted (or for MAIL itself:
   *     the refused sender)
   * @param recipient the refused recipient, or null (or {@link MailPath#NULL}) when not about one
   * @param user for a failed AUTH, the user name tried when the connector knows that user; never a
   *     name it does not know (that might be a password typed in the wrong field), never a
   *     password or any part of the SASL exchange; else the authenticated user, or null
   * @param reason what was refused and why, for operators
   */
  record Rejected(
      Instant at, String session, String client, String connector, SmtpStage stage, MailPath sender,
      MailPath recipient, String user, SmtpReply reply, String reason, DecisionTrace trace) implements TrackingEvent {
    public Rejected {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(trace, "trace");
      recipient = recipient == null || recipient.isNull() ? null : recipient;
    }
  }

  /**
   * The outcome of one delivery attempt for one recipient, with what the attempt learned as values
   * (the reply's code, enhanced status and text, or the local cause and reason; the upstream host,
   * address and TLS session), which the log writes as separate fields; {@code receivedAt} is when
   * the message was accepted (the delay so far is {@code at - receivedAt}); {@code sender} is the
   * envelope sender the message is sent from (so that a search by sender finds every attempt).
   */
  record Delivery(Instant at, MessageId id, String connector, MailPath sender, MailPath recipient, Result result,
      AttemptReport report, Instant receivedAt) implements TrackingEvent {
    public Delivery {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(receivedAt, "receivedAt");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(report, "report");
    }
  }

  /** A queued message waits because its connector does not exist in the running configuration. */
  record Held(Instant at, MessageId id, String connector) implements TrackingEvent {
    public Held {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * A delivery status notification about message {@code id} was queued as message
   * {@code notification}, to {@code to}, about {@code recipients}.
   *
   * @param action {@code failed} or {@code delayed}
   */
  record DsnQueued(
      Instant at, MessageId id, MessageId notification, String action, MailPath to, List<MailPath> recipients)
      implements TrackingEvent {
    public DsnQueued {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(notification, "notification");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(to, "to");
      recipients = List.copyOf(recipients);
    }
  }

  /**
   * An operator acted on a queued message through the admin API (or {@code relay queue}).
   *
   * @param action {@code retry}, {@code hold}, {@code release}, {@code delete} or {@code bounce}
   * @param operator the name of the token used ({@code local} for the relay's own)
   * @param done whether it took effect
   * @param detail what happened, in words
   */
  record OperatorAction(Instant at, MessageId id, String action, String operator, boolean done, String detail)
      implements TrackingEvent {
    public OperatorAction {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** What a delivery attempt did for one recipient. */
  enum Result {
    /** The upstream took the message for this recipient. */
    DELIVERED,
    /** A transient failure; another attempt follows. */
    DEFERRED,
    /** A permanent failure; the recipient is done (a DSN may follow). */
    FAILED,
    /** A configuration problem; the recipient waits for a release. */
    HELD,
    /** A transient failure after the message's lifetime ran out; the recipient is done. */
    EXPIRED
  }
}
