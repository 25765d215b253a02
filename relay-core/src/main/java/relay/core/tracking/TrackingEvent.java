package relay.core.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import relay.core.delivery.AttemptReport;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;

/**
 * One event in the life of a message, as the tracking log records it. A closed set; each record
 * names the session (inbound events) or the queued message (delivery events) so events of one
 * message can be joined. Texts here are for operators: they may name rules and replies, never
 * secrets. Immutable and thread-safe.
 */
public sealed interface TrackingEvent {

  /** When the event happened. */
  Instant at();

  /** The message passed every check at the end of DATA and is about to be queued. */
  record Received(
      Instant at, String session, String client, String inboundConnector, MailPath sender,
      List<MailPath> recipients, long size, DecisionTrace trace) implements TrackingEvent {
    public Received {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(trace, "trace");
      recipients = List.copyOf(recipients);
    }
  }

  /** One part of a received message was queued for one connector (several when it was split). */
  record Routed(
      Instant at, String session, MessageId id, String connector, List<MailPath> recipients, boolean requireTls)
      implements TrackingEvent {
    public Routed {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
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
   * A recipient (stage {@code rcpt}) or a whole message (stage {@code data}) was refused in-session.
   *
   * @param recipient the refused recipient, or {@link MailPath#NULL} for a whole message
   */
  record Rejected(
      Instant at, String session, String stage, MailPath sender, MailPath recipient, SmtpReply reply,
      String reason, DecisionTrace trace) implements TrackingEvent {
    public Rejected {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(trace, "trace");
    }
  }

  /**
   * The outcome of one delivery attempt for one recipient, with what the attempt learned as values
   * (the reply's code, enhanced status and text, or the local cause and reason; the upstream host,
   * address and TLS session), which the log writes as separate fields; {@code receivedAt} is when
   * the message was accepted (the delay so far is {@code at - receivedAt}).
   */
  record Delivery(Instant at, MessageId id, String connector, MailPath recipient, Result result, AttemptReport report,
      Instant receivedAt) implements TrackingEvent {
    public Delivery {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(receivedAt, "receivedAt");
      Objects.requireNonNull(id, "id");
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
