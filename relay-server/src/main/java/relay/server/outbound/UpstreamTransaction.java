package relay.server.outbound;

import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import relay.core.delivery.DeliveryRequest;
import relay.core.envelope.BodyType;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.MailParameters;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;

/**
 * One SMTP mail transaction on an upstream session that is open and signed in, spoken by Relay
 * itself: MAIL, one RCPT per recipient, DATA and the content. Angus Mail opens the session (EHLO,
 * STARTTLS, AUTH) but offers neither PIPELINING nor DSN parameters per recipient. When the server
 * offers PIPELINING (RFC 2920), MAIL, every RCPT and DATA leave in one write (up to
 * {@value #MOST_AT_ONCE} commands) and their replies are read after it: two round trips per message
 * for up to 98 recipients, where waiting for each reply takes three plus one per recipient.
 * Without PIPELINING each command waits for its reply, and the transaction stops at the first
 * refusal that ends it (MAIL refused, or no recipient accepted).
 *
 * <p>A transaction left open (no recipient accepted, DATA refused) is closed with RSET, so that the
 * session can carry the next message; when even that fails the result says the session must not
 * be reused. Stateless.
 */
final class UpstreamTransaction {

  /**
   * What a transaction sends besides the content.
   *
   * @param reversePath the envelope sender, empty for the null path
   * @param mailParameters MAIL parameters such as {@code BODY=8BITMIME}, each already valid for the
   *     session
   * @param dsn whether to send each recipient's DSN parameters (NOTIFY, ORCPT): only to a server
   *     that offers DSN
   */
  record Envelope(String reversePath, List<String> mailParameters, List<Recipient> recipients, boolean dsn) {
    Envelope {
      mailParameters = List.copyOf(mailParameters);
      recipients = List.copyOf(recipients);
    }

    /**
     * The envelope for {@code recipients} of {@code request} on {@code session}: {@code BODY=8BITMIME}
     * and {@code SMTPUTF8} where the message needs them and the session offers them, and, when
     * {@code passDsn} and the session offers DSN, the request's RET and ENVID and each recipient's
     * NOTIFY and ORCPT.
     *
     * @param reversePath the envelope sender to give, empty for the null path
     */
    static Envelope of(TracedSmtpTransport session, DeliveryRequest request, String reversePath,
        List<Recipient> recipients, boolean passDsn) {
      MailParameters given = request.parameters();
      boolean dsn = passDsn && session.supportsExtension("DSN");
      List<String> parameters = new ArrayList<>(4);
      if (dsn && given.dsnReturn() != null) {
        parameters.add("RET=" + given.dsnReturn().name());
      }
      if (dsn && given.envelopeId() != null) {
        parameters.add("ENVID=" + given.envelopeId());
      }
      if (given.body() == BodyType.EIGHT_BIT_MIME && session.supportsExtension("8BITMIME")) {
        parameters.add("BODY=8BITMIME");
      }
      if (given.smtpUtf8() && session.supportsExtension("SMTPUTF8")) {
        parameters.add("SMTPUTF8");
      }
      return new Envelope(reversePath, parameters, recipients, dsn);
    }
  }

  /**
   * The reply for each recipient, in the envelope's order, and whether the session may carry
   * another message.
   */
  record Result(Map<Recipient, SmtpReply> replies, boolean reusable) {}

  /** The most commands written at once in a pipelined group. */
  static final int MOST_AT_ONCE = 100;

  private UpstreamTransaction() {}

  /**
   * Sends {@code content} to the envelope's recipients on {@code session}.
   *
   * @throws MessagingException when the connection failed or closed before the transaction's last
   *     reply: what the upstream kept is unknown and the session must be closed
   */
  static Result send(TracedSmtpTransport session, Envelope envelope, SpooledMessage content)
      throws MessagingException {
    String mail = withParameters("MAIL FROM:<" + envelope.reversePath() + ">", envelope.mailParameters());
    List<Recipient> recipients = envelope.recipients();
    Map<Recipient, SmtpReply> replies = new LinkedHashMap<>();
    List<Recipient> accepted = new ArrayList<>();
    List<String> commands = new ArrayList<>(recipients.size() + 2);
    commands.add(mail);
    recipients.forEach(r -> commands.add(rcpt(r, envelope.dsn())));
    commands.add("DATA");
    // Without PIPELINING a part is one command: each waits for the reply to the one before.
    Pipeline pipeline = new Pipeline(session, commands, session.supportsExtension("PIPELINING") ? MOST_AT_ONCE : 1);
    SmtpReply from = pipeline.next();
    if (!from.isPositive()) {
      return refusedSender(pipeline, recipients, from);
    }
    for (Recipient r : recipients) {
      SmtpReply to = pipeline.next();
      replies.put(r, to);
      if (to.isPositive()) {
        accepted.add(r);
      }
    }
    if (accepted.isEmpty() && !pipeline.allSent()) {
      return new Result(replies, reset(session)); // DATA not sent yet, and no need to
    }
    SmtpReply data = pipeline.next();
    if (accepted.isEmpty()) {
      endEmptyData(session, data);
      return new Result(replies, reset(session));
    }
    if (data.code() != 354) {
      accepted.forEach(r -> replies.put(r, data));
      return new Result(replies, reset(session));
    }
    session.sendContent(content);
    SmtpReply done = session.reply();
    accepted.forEach(r -> replies.put(r, done));
    return new Result(replies, true);
  }

  /**
   * After a refused MAIL: each recipient gets the MAIL reply (the RCPT replies of a pipelined group
   * only say there is no transaction), the replies to what was already sent are read, nothing more
   * is sent, and no transaction is open. A server that refused with 421 may close at once: the
   * session is then simply not reused.
   */
  private static Result refusedSender(Pipeline pipeline, List<Recipient> recipients, SmtpReply from) {
    Map<Recipient, SmtpReply> replies = new LinkedHashMap<>();
    recipients.forEach(r -> replies.put(r, from));
    try {
      SmtpReply last = pipeline.drain();
      if (pipeline.allSent()) {
        endEmptyData(pipeline.session, last);
      }
      return new Result(replies, true);
    } catch (MessagingException e) {
      return new Result(replies, false);
    }
  }

  /**
   * A transaction's commands sent in parts, each part written when the first reply to it is wanted:
   * parts of one command without PIPELINING, of at most {@link #MOST_AT_ONCE} with it. Bounding the
   * part keeps the replies of one part well within the socket buffers, so neither side can block
   * writing while the other waits to read (RFC 2920 section 3.1); a message to 500 recipients takes
   * six writes instead of one.
   */
  private static final class Pipeline {
    private final TracedSmtpTransport session;
    private final List<String> commands;
    private final int part;
    private int sent;
    private int read;

    Pipeline(TracedSmtpTransport session, List<String> commands, int part) {
      this.session = session;
      this.commands = commands;
      this.part = part;
    }

    /** The reply to the next command, sending the next part first when all sent are answered. */
    SmtpReply next() throws MessagingException {
      if (read == sent) {
        int end = Math.min(commands.size(), sent + part);
        session.send(commands.subList(sent, end));
        sent = end;
      }
      read++;
      return session.reply();
    }

    /** Reads the replies to every command sent and not yet answered; the last of them, or null. */
    SmtpReply drain() throws MessagingException {
      SmtpReply last = null;
      for (; read < sent; read++) {
        last = session.reply();
      }
      return last;
    }

    boolean allSent() {
      return sent == commands.size();
    }
  }

  // A server may answer a pipelined DATA with 354 although it accepted no recipient (RFC 2920
  // section 3.1 expects a refusal); the empty message is ended at once.
  private static void endEmptyData(TracedSmtpTransport session, SmtpReply data) throws MessagingException {
    if (data.code() == 354) {
      session.send(List.of("."));
      session.reply();
    }
  }

  /** The RCPT command for {@code r}, with its DSN parameters when {@code dsn}. */
  static String rcpt(Recipient r, boolean dsn) {
    List<String> parameters = new ArrayList<>(2);
    if (dsn && !r.notifyOn().isEmpty()) {
      StringJoiner notify = new StringJoiner(",", "NOTIFY=", "");
      // In one fixed order, so that logs read alike (the listener accepted NEVER only alone).
      for (DsnNotify n : DsnNotify.values()) {
        if (r.notifyOn().contains(n)) {
          notify.add(n.name());
        }
      }
      parameters.add(notify.toString());
    }
    if (dsn && r.originalRecipient() != null) {
      // RFC 3461 section 4.2: an ORCPT received must be passed on to a DSN-capable server.
      parameters.add("ORCPT=" + r.originalRecipient());
    }
    return withParameters("RCPT TO:<" + r.address().address() + ">", parameters);
  }

  private static String withParameters(String command, List<String> parameters) {
    return parameters.isEmpty() ? command : command + " " + String.join(" ", parameters);
  }

  /** Ends an open transaction; true when the server agreed, so the session can go on. */
  private static boolean reset(TracedSmtpTransport session) {
    try {
      session.send(List.of("RSET"));
      return session.reply().isPositive();
    } catch (MessagingException e) {
      return false;
    }
  }
}
