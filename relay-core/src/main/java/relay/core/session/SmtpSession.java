package relay.core.session;

import java.time.Instant;
import java.util.List;
import relay.core.envelope.Domain;
import relay.core.envelope.Recipient;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.metrics.SmtpStage;
import relay.core.routing.header.HeaderSection;
import relay.core.session.SessionState.Phase;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.TrackingEvent;

/**
 * The SMTP server dialogue as a pure state machine: each input and the current {@link SessionState}
 * give a {@link Transition} (replies, effects, next state). It knows nothing of sockets, threads or
 * the spool; the adapter feeds it lines and events and carries out the effects.
 *
 * <p>Call order: {@link #connect()} first; then {@link #command} in phase COMMANDS;
 * {@link #spoolOpened}/{@link #spoolFailed} in OPENING; {@link #dataEnd} in DATA;
 * {@link #chunkReceived}/{@link #chunkSkipped} in CHUNK (as the {@link Effect.ReceiveChunk} said);
 * {@link #committed}/{@link #commitFailed} in COMMITTING; {@link #tlsEstablished} in TLS_HANDSHAKE;
 * {@link #authResponse} in AUTH;
 * {@link #timeout()} in any phase. An input in the wrong phase is a bug in the caller and throws
 * {@link IllegalStateException}.
 *
 * <p>This class checks phases, parses and dispatches; each part of the policy has its own home. A
 * client without a connector is refused at connect. MAIL and RCPT ({@link EnvelopeCommands}): MAIL
 * needs TLS and AUTH when the connector requires them and an allowed sender domain; RCPT accepts
 * recipients in accepted domains or domains the connector may relay to (never an open relay), at
 * most {@code maxRecipients}, and then asks the mail-flow rules of the session's
 * {@link relay.core.routing.RoutingSnapshot} (refuse with the rule's reply, or 550 5.4.4 when no
 * connector serves the domain). BDAT chunks (RFC 3030, {@link Chunks}) share DATA's limits, spool
 * and end-of-message decisions; their octets are always read, even when refused, except that a
 * transaction is never read past 1.5 times the size limit (Postfix's bound). At the end of a
 * message ({@link MessageEnd}) the rules and remote-domain settings decide over the whole message
 * ({@link MessageRouting}). SMTP AUTH (PLAIN, LOGIN; {@link Authentication}) is offered only when
 * the connector lists users and, unless it allows plaintext, only under TLS; an authenticated
 * client may relay when the connector's auth grants it, and the user is what the rules'
 * {@code authenticated-user} condition sees. For every part ({@link Answers}): more than
 * {@code maxErrors} failed commands close the session, and commands that move no mail count as
 * failed past {@code maxJunkCommands}. Every decision worth tracing is handed out as an
 * {@link Effect.Track}. Immutable and thread-safe.
 */
public final class SmtpSession {

  private final SessionContext context;
  private final CommandParser parser;
  private final Rejections rejections;
  private final Answers answers;
  private final MessageEnd messageEnd;
  private final EnvelopeCommands envelope;
  private final Chunks chunks;
  private final Authentication authentication;

  public SmtpSession(SessionContext context) {
    this.context = context;
    this.parser = new CommandParser(new Domain(context.hostName()));
    MessageRouting routing = new MessageRouting(context);
    this.rejections = new Rejections(context);
    this.answers = new Answers(context);
    this.messageEnd = new MessageEnd(context, routing, rejections);
    this.envelope = new EnvelopeCommands(context, routing, rejections, answers);
    this.chunks = new Chunks(context, rejections, answers);
    this.authentication = new Authentication(context, rejections, answers);
  }

  public SessionContext context() {
    return context;
  }

  /** The connection was accepted: greet or refuse it. */
  public Transition connect() {
    return connect(false);
  }

  /**
   * The connection was accepted, already encrypted when {@code implicitTls} (RFC 8314: the TLS
   * handshake came first, so the session counts as under TLS from its start): greet or refuse it.
   */
  public Transition connect(boolean implicitTls) {
    SessionState s = SessionState.initial(implicitTls);
    if (context.connector().isEmpty()) {
      return Answers.closeAfter(rejections.event(s, SmtpStage.CONNECT, null, Replies.CLIENT_NOT_ALLOWED,
          "no inbound connector admits client " + context.clientAddress()), s, Replies.CLIENT_NOT_ALLOWED);
    }
    return Answers.reply(s.withPhase(Phase.COMMANDS), Replies.greeting(context.hostName()));
  }

  /** One command line (without CRLF), on a node that takes new mail. */
  public Transition command(SessionState s, String line) {
    return command(s, line, Intake.OPEN);
  }

  /**
   * One command line (without CRLF) while the node's intake is {@code intake}: a drained node ends
   * the session with {@code 421 4.3.2} at its next MAIL, so the client takes its mail to another
   * host; a transaction already under way finishes.
   */
  public Transition command(SessionState s, String line, Intake intake) {
    expect(s, Phase.COMMANDS);
    boolean utf8 = s.parameters() != null && s.parameters().smtpUtf8();
    Command command = parser.parse(line, utf8);
    return switch (intake) {
      case OPEN -> command(s, command);
      case DRAINED -> command instanceof Command.Mail m ? envelope.drained(s, m) : command(s, command);
    };
  }

  /** One parsed command. */
  public Transition command(SessionState s, Command command) {
    expect(s, Phase.COMMANDS);
    InboundConnector c = context.admitted();
    return switch (command) {
      case Command.Ehlo e -> Chunks.dropChunks(s,
          answers.junk(s.greeted(e.domain(), true),
              Replies.ehlo(context.hostName(), c.limits().maxMessageSize(), context.tlsAvailable() && !s.tlsActive(),
                  c.auth().offeredOn(s.tlsActive()))));
      case Command.Helo h ->
          Chunks.dropChunks(s, answers.junk(s.greeted(h.domain(), false), Replies.helo(context.hostName())));
      case Command.Mail m -> envelope.mail(s, m);
      case Command.Rcpt r -> envelope.rcpt(s, r);
      case Command.Data d -> data(s);
      case Command.Bdat b -> chunks.bdat(s, b);
      case Command.MalformedBdat m -> Answers.close(s, Replies.CHUNK_SYNTAX);
      case Command.Rset r -> Chunks.dropChunks(s, answers.junk(s.reset(), Replies.RESET));
      case Command.Noop n -> answers.junk(s, Replies.OK);
      case Command.Help h -> answers.junk(s, Replies.HELP);
      case Command.Vrfy v -> answers.junk(s, Replies.VRFY);
      case Command.Quit q -> Answers.close(s, Replies.BYE);
      case Command.ProxyHeader p -> Answers.close(s, Replies.PROXY_NOT_ALLOWED);
      case Command.StartTls t -> startTls(s);
      case Command.Auth a -> authentication.auth(s, a);
      case Command.Unknown u -> answers.fail(s, Replies.UNKNOWN_COMMAND);
      case Command.Invalid i -> answers.fail(s, i.reply());
    };
  }

  /**
   * One line of a SASL exchange (phase AUTH), without CRLF: base64 text or {@code *} to cancel. The
   * adapter must never log it.
   */
  public Transition authResponse(SessionState s, String line) {
    expect(s, Phase.AUTH);
    return authentication.respond(s, line);
  }

  /** A command line (or SASL response) longer than the connector allows was read and discarded. */
  public Transition lineTooLong(SessionState s) {
    if (s.phase() != Phase.AUTH) {
      expect(s, Phase.COMMANDS);
    }
    return answers.fail(s, Replies.LINE_TOO_LONG);
  }

  /**
   * The spool transaction for the accepted DATA is open: ask for the content. After a first BDAT
   * there is nothing to ask: its octets are already on the way.
   */
  public Transition spoolOpened(SessionState s) {
    expect(s, Phase.OPENING);
    InboundConnector c = context.admitted();
    byte[] header =
        ReceivedHeader.build(
            s.helo(), context.clientAddress(), context.hostName(), s.esmtp(), s.tlsActive(),
            s.authenticatedUser() != null, s.parameters().smtpUtf8(), context.sessionId(), context.clock().instant());
    if (s.chunk() != null) {
      Effect begin = new Effect.BeginChunks(header, c.limits().maxTextLine());
      return new Transition(List.of(), List.of(begin, s.chunk().effect()),
          s.withChunking(new Chunking.Accepting(0)).readingChunk(s.chunk()));
    }
    Effect begin =
        new Effect.BeginData(header, c.limits().maxMessageSize(), c.limits().maxTextLine(), c.bareLineEndings());
    return new Transition(List.of(Replies.START_DATA), List.of(begin), s.withPhase(Phase.DATA));
  }

  /**
   * The spool could not open a transaction: refuse DATA, the transaction is over. A first BDAT
   * gets the same reply, once its octets are read.
   */
  public Transition spoolFailed(SessionState s, SpoolFailure failure) {
    expect(s, Phase.OPENING);
    Effect.Track tracked = rejections.event(s, SmtpStage.DATA, null, failure.reply(), failure.reason("open"));
    if (s.chunk() != null) {
      Chunk refused = s.chunk().refused(failure.reply());
      return new Transition(List.of(), List.of(tracked, refused.effect()), s.readingChunk(refused));
    }
    return answers.failAfter(tracked, s.reset(), failure.reply());
  }

  /** The content decoder read the end of data; no header section was captured. */
  public Transition dataEnd(SessionState s, DataSummary summary) {
    return dataEnd(s, summary, HeaderSection.EMPTY);
  }

  /**
   * The content decoder read the end of data; {@code headers} is the header section captured while
   * the content streamed. The rules decide now, before any 250: a rejection becomes the reply to
   * DATA and nothing is queued; otherwise the message is committed as one spool entry per part.
   */
  public Transition dataEnd(SessionState s, DataSummary summary, HeaderSection headers) {
    expect(s, Phase.DATA);
    return endOfMessage(s, summary, headers);
  }

  /**
   * The octets of a kept BDAT chunk were read and handed to the spool; {@code summary} covers every
   * chunk of the message so far. A chunk that is not the last gets {@code 250}; the last one ends
   * the message exactly as the end of DATA does ({@code headers}: the header section captured
   * across all chunks; only read for the last chunk).
   */
  public Transition chunkReceived(SessionState s, DataSummary summary, HeaderSection headers) {
    expect(s, Phase.CHUNK);
    Chunk chunk = s.chunk();
    if (!chunk.kept()) {
      throw new IllegalStateException("chunk was to be discarded");
    }
    return chunk.last() ? endOfMessage(s, summary, headers) : chunks.received(s);
  }

  /**
   * The octets of a refused BDAT chunk were read and dropped: now the refusal. The transaction is
   * over; unless this was the LAST chunk, later chunks are discarded too ({@link Chunking.Discarding}).
   * Only the first refusal counts as a failed command: the rest follow from it.
   */
  public Transition chunkSkipped(SessionState s) {
    expect(s, Phase.CHUNK);
    if (s.chunk().kept()) {
      throw new IllegalStateException("chunk was to be kept");
    }
    return chunks.skipped(s);
  }

  /** The end of a message, by DATA or BDAT LAST: limits, then the rules, then the commit. */
  private Transition endOfMessage(SessionState s, DataSummary summary, HeaderSection headers) {
    return switch (messageEnd.judge(s, context.admitted(), summary, headers)) {
      case MessageEnd.Outcome.Refuse r -> Answers.after(r.effects(), answers.fail(s.reset(), r.reply()));
      case MessageEnd.Outcome.Proceed p -> p.transition();
    };
  }

  /** The message is durably queued: only now does the client get 250. */
  public Transition committed(SessionState s, QueuedMessage message) {
    return committed(s, List.of(message));
  }

  /**
   * Every part of the message is durably queued: only now does the client get 250, naming the
   * first part's queue id. The parts' routing is not among the effects: see {@link #routed}.
   */
  public Transition committed(SessionState s, List<QueuedMessage> messages) {
    expect(s, Phase.COMMITTING);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a commit queues at least one message");
    }
    return new Transition(List.of(Replies.queued(messages.getFirst().id().value())), List.of(), s.reset().withoutJunk());
  }

  /**
   * The tracking events of a commit: each part, routed. The adapter records them on the thread that
   * committed, after the commit and before it hands the parts to delivery. They cannot wait for
   * {@link #committed}, which runs after a hop back to the event loop: by then a quick delivery
   * attempt may already have recorded its outcome, and tracking.log (and {@code relay trace}) would
   * tell "delivered" before "routed" for the same message. Reads no session state, so any thread may
   * call it.
   */
  public List<TrackingEvent> routed(List<QueuedMessage> messages) {
    Instant now = context.clock().instant();
    return messages.stream()
        .<TrackingEvent>map(m -> new TrackingEvent.Routed(
            now, context.sessionId(), m.id(), m.connector(), m.envelope().sender(),
            m.envelope().recipients().stream().map(Recipient::address).toList(), m.requireTls()))
        .toList();
  }

  /** The commit failed: nothing was queued. */
  public Transition commitFailed(SessionState s, SpoolFailure failure) {
    expect(s, Phase.COMMITTING);
    return answers.failAfter(rejections.event(s, SmtpStage.DATA, null, failure.reply(), failure.reason("commit")),
        s.reset(), failure.reply());
  }

  /** The TLS handshake after STARTTLS completed, its details unknown: start over, as before EHLO. */
  public Transition tlsEstablished(SessionState s) {
    return tlsEstablished(s, null);
  }

  /**
   * The TLS handshake after STARTTLS completed with {@code tls} (null when not known): start over, as
   * before EHLO.
   */
  public Transition tlsEstablished(SessionState s, SessionTls tls) {
    expect(s, Phase.TLS_HANDSHAKE);
    return new Transition(List.of(), List.of(), s.afterTls(tls));
  }

  /**
   * The handshake of a session that began encrypted ({@code connect(true)}) completed with {@code
   * tls}: only remembered, for the tracking log. Any phase but CLOSED (the handshake completes
   * after the greeting was written, before any command can be read).
   */
  public Transition implicitTlsEstablished(SessionState s, SessionTls tls) {
    if (!s.tlsActive() || s.phase() == Phase.CLOSED) {
      throw new IllegalStateException("implicit TLS handshake in a session that did not begin encrypted, or is closed");
    }
    return new Transition(List.of(), List.of(), s.withTls(tls));
  }

  /** The client was silent for too long (command or DATA timeout). */
  public Transition timeout(SessionState s) {
    if (s.phase() == Phase.CLOSED) {
      return new Transition(List.of(), List.of(), s);
    }
    return Answers.close(s, Replies.TIMEOUT);
  }

  /**
   * The server is shutting down: between transactions the session ends with 421; in any other
   * phase, and between the chunks of a message, nothing happens, and the adapter asks again once
   * the current step is done.
   */
  public Transition shutdown(SessionState s) {
    if (s.phase() != Phase.COMMANDS || s.receivingChunks()) {
      return new Transition(List.of(), List.of(), s);
    }
    return Answers.close(s, Replies.SHUTTING_DOWN);
  }

  private Transition data(SessionState s) {
    // After a BDAT the transaction is chunked; it stays so (RFC 3030: DATA there gets 503).
    if (!s.inTransaction() || s.recipients().isEmpty() || !(s.chunking() instanceof Chunking.None)) {
      return answers.fail(s, Replies.BAD_SEQUENCE);
    }
    return new Transition(List.of(), List.of(new Effect.OpenMessage()), s.withPhase(Phase.OPENING));
  }

  private Transition startTls(SessionState s) {
    // Mid-chunks the spooled content would outlive the transaction that TLS is about to forget.
    if (s.tlsActive() || s.receivingChunks()) {
      return answers.fail(s, Replies.BAD_SEQUENCE);
    }
    if (!context.tlsAvailable()) {
      return answers.fail(s, Replies.NOT_IMPLEMENTED);
    }
    return new Transition(
        List.of(Replies.START_TLS), List.of(new Effect.UpgradeTls()), s.withPhase(Phase.TLS_HANDSHAKE));
  }

  private static void expect(SessionState s, Phase phase) {
    if (s.phase() != phase) {
      throw new IllegalStateException("input for phase " + phase + " in phase " + s.phase());
    }
  }
}
