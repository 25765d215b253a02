package relay.core.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import relay.core.envelope.Domain;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.metrics.SmtpStage;
import relay.core.routing.header.HeaderSection;
import relay.core.routing.rule.DecisionTrace;
import relay.core.routing.rule.RecipientVerdict;
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
 * <p>Policy lives here: a client without a connector is refused at connect; MAIL needs TLS when the
 * connector requires it and an allowed sender domain; RCPT accepts recipients in accepted domains or
 * domains the connector may relay to (never an open relay), at most {@code maxRecipients}, and
 * then asks the mail-flow rules of the session's {@link relay.core.routing.RoutingSnapshot} (refuse
 * with the rule's reply, or 550 5.4.4 when no connector serves the domain); at the end of DATA the
 * rules and remote-domain settings decide over the whole message ({@link MessageRouting}); more than
 * {@code maxErrors} failed commands close the session, and commands that move no mail count as
 * failed past {@code maxJunkCommands}. BDAT chunks (RFC 3030) share DATA's limits, spool and end-of-message
 * decisions; their octets are always read, even when refused, except that a transaction is never
 * read past 1.5 times the size limit (Postfix's bound). SMTP AUTH (PLAIN, LOGIN) is offered only
 * when the connector lists users and, unless it allows plaintext, only under TLS; a failed AUTH
 * counts as a failed command; an authenticated client may relay when the connector's auth grants
 * it, MAIL needs AUTH when the connector requires it, and the user is what the rules'
 * {@code authenticated-user} condition sees. Every decision worth tracing is handed out
 * as an {@link Effect.Track}. Immutable and thread-safe.
 */
public final class SmtpSession {

  private final SessionContext context;
  private final CommandParser parser;
  private final MessageRouting routing;
  private final MessageEnd messageEnd;
  private final Rejections rejections;

  public SmtpSession(SessionContext context) {
    this.context = context;
    this.parser = new CommandParser(new Domain(context.hostName()));
    this.routing = new MessageRouting(context);
    this.rejections = new Rejections(context);
    this.messageEnd = new MessageEnd(context, routing, rejections);
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
      Transition refused = close(s, Replies.CLIENT_NOT_ALLOWED);
      return new Transition(refused.replies(), List.of(
          rejections.event(s, SmtpStage.CONNECT, null, Replies.CLIENT_NOT_ALLOWED,
              "no inbound connector admits client " + context.clientAddress()),
          refused.effects().getFirst()), refused.next());
    }
    return reply(s.withPhase(Phase.COMMANDS), Replies.greeting(context.hostName()));
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
      case DRAINED -> command instanceof Command.Mail m ? drained(s, m) : command(s, command);
    };
  }

  /** One parsed command. */
  public Transition command(SessionState s, Command command) {
    expect(s, Phase.COMMANDS);
    InboundConnector c = connector();
    return switch (command) {
      case Command.Ehlo e -> dropChunks(s,
          junk(s.greeted(e.domain(), true),
              Replies.ehlo(context.hostName(), c.limits().maxMessageSize(), context.tlsAvailable() && !s.tlsActive(),
                  c.auth().offeredOn(s.tlsActive()))));
      case Command.Helo h -> dropChunks(s, junk(s.greeted(h.domain(), false), Replies.helo(context.hostName())));
      case Command.Mail m -> mail(s, m);
      case Command.Rcpt r -> rcpt(s, r);
      case Command.Data d -> data(s);
      case Command.Bdat b -> bdat(s, b);
      case Command.MalformedBdat m -> close(s, Replies.CHUNK_SYNTAX);
      case Command.Rset r -> dropChunks(s, junk(s.reset(), Replies.RESET));
      case Command.Noop n -> junk(s, Replies.OK);
      case Command.Help h -> junk(s, Replies.HELP);
      case Command.Vrfy v -> junk(s, Replies.VRFY);
      case Command.Quit q -> close(s, Replies.BYE);
      case Command.ProxyHeader p -> close(s, Replies.PROXY_NOT_ALLOWED);
      case Command.StartTls t -> startTls(s);
      case Command.Auth a -> auth(s, a);
      case Command.Unknown u -> fail(s, Replies.UNKNOWN_COMMAND);
      case Command.Invalid i -> fail(s, i.reply());
    };
  }

  /**
   * One line of a SASL exchange (phase AUTH), without CRLF: base64 text or {@code *} to cancel. The
   * adapter must never log it.
   */
  public Transition authResponse(SessionState s, String line) {
    expect(s, Phase.AUTH);
    return authStep(s, SaslExchange.respond(s.pendingAuth(), line));
  }

  /** A command line (or SASL response) longer than the connector allows was read and discarded. */
  public Transition lineTooLong(SessionState s) {
    if (s.phase() != Phase.AUTH) {
      expect(s, Phase.COMMANDS);
    }
    return fail(s, Replies.LINE_TOO_LONG);
  }

  /**
   * The spool transaction for the accepted DATA is open: ask for the content. After a first BDAT
   * there is nothing to ask: its octets are already on the way.
   */
  public Transition spoolOpened(SessionState s) {
    expect(s, Phase.OPENING);
    InboundConnector c = connector();
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
    Effect.Track tracked = rejections.event(s, SmtpStage.DATA, null, spoolReply(failure), spoolReason(failure, "open"));
    if (s.chunk() != null) {
      Chunk refused = s.chunk().refused(spoolReply(failure));
      return new Transition(List.of(), List.of(tracked, refused.effect()), s.readingChunk(refused));
    }
    return failAfter(List.of(tracked), s.reset(), spoolReply(failure));
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
    if (chunk.last()) {
      return endOfMessage(s, summary, headers);
    }
    SessionState next = s.withChunking(new Chunking.Accepting(s.chunking().received() + chunk.size()));
    SmtpReply ok = Replies.chunkReceived(chunk.size());
    // An empty chunk that ends nothing moves no mail: it counts like a NOOP.
    return chunk.size() == 0 ? junk(next, ok) : reply(next, ok);
  }

  /**
   * The octets of a refused BDAT chunk were read and dropped: now the refusal. The transaction is
   * over; unless this was the LAST chunk, later chunks are discarded too ({@link Chunking.Discarding}).
   * Only the first refusal counts as a failed command: the rest follow from it.
   */
  public Transition chunkSkipped(SessionState s) {
    expect(s, Phase.CHUNK);
    Chunk chunk = s.chunk();
    if (chunk.kept()) {
      throw new IllegalStateException("chunk was to be kept");
    }
    boolean first = !(s.chunking() instanceof Chunking.Discarding);
    SessionState next = chunk.last()
        ? s.reset()
        : s.reset().withChunking(new Chunking.Discarding(chunk.refusal(), s.chunking().received() + chunk.size()));
    return first ? fail(next, chunk.refusal()) : reply(next, chunk.refusal());
  }

  /** The end of a message, by DATA or BDAT LAST: limits, then the rules, then the commit. */
  private Transition endOfMessage(SessionState s, DataSummary summary, HeaderSection headers) {
    return switch (messageEnd.judge(s, connector(), summary, headers)) {
      case MessageEnd.Outcome.Refuse r -> failAfter(r.effects(), s.reset(), r.reply());
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
    return failAfter(List.of(rejections.event(s, SmtpStage.DATA, null, spoolReply(failure),
        spoolReason(failure, "commit"))), s.reset(), spoolReply(failure));
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
    return close(s, Replies.TIMEOUT);
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
    return close(s, Replies.SHUTTING_DOWN);
  }

  /** MAIL on a drained node: refused with 421 and the session ends (RFC 5321 4.2.2: 421 closes). */
  private Transition drained(SessionState s, Command.Mail m) {
    Transition closed = close(s, Replies.DRAINED);
    return new Transition(closed.replies(), List.of(
        rejections.event(s, SmtpStage.MAIL, m.sender(), null, null, Replies.DRAINED,
            "node drained: not accepting new mail", DecisionTrace.NONE),
        closed.effects().getFirst()), closed.next());
  }

  private Transition mail(SessionState s, Command.Mail m) {
    InboundConnector c = connector();
    if (s.helo() == null || s.inTransaction() || !(s.chunking() instanceof Chunking.None)) {
      return fail(s, Replies.BAD_SEQUENCE);
    }
    if (c.requireTls() && !s.tlsActive()) {
      return refuseMail(s, m, Replies.TLS_REQUIRED, "connector " + c.name() + " requires TLS (STARTTLS) before MAIL");
    }
    if (c.auth().required() && s.authenticatedUser() == null) {
      return refuseMail(s, m, Replies.AUTH_REQUIRED, "connector " + c.name() + " requires SMTP AUTH before MAIL");
    }
    if (m.parameters().declaredSize() > c.limits().maxMessageSize()) {
      return refuseMail(s, m, Replies.MESSAGE_TOO_BIG, "declared size " + m.parameters().declaredSize()
          + " octets is over connector " + c.name() + "'s limit of " + c.limits().maxMessageSize());
    }
    if (!c.allowsSenderDomain(m.sender().domain())) {
      return refuseMail(s, m, Replies.SENDER_DENIED, "connector " + c.name() + " does not allow sender domain "
          + m.sender().optionalDomain().map(d -> d.name()).orElse("(none)"));
    }
    return reply(s.withTransaction(m.sender(), m.parameters()), Replies.SENDER_OK);
  }

  private Transition rcpt(SessionState s, Command.Rcpt r) {
    InboundConnector c = connector();
    if (!s.inTransaction() || !(s.chunking() instanceof Chunking.None)) {
      return fail(s, Replies.BAD_SEQUENCE);
    }
    MailPath address = r.recipient().address();
    boolean authorised = s.authenticatedUser() != null && c.auth().grantsRelay();
    if (!r.postmaster() && !authorised && !routing.snapshot().mayReceive(c, address.domain())) {
      return failAfter(List.of(rejections.event(s, SmtpStage.RCPT, address, Replies.RELAY_DENIED,
          address.domain().name() + " is not an accepted domain and connector " + c.name() + " may not relay to it")),
          s, Replies.RELAY_DENIED);
    }
    boolean duplicate = s.recipients().stream().anyMatch(x -> x.address().equals(address));
    if (duplicate) {
      return reply(s, Replies.RECIPIENT_OK);
    }
    if (s.recipients().size() >= c.limits().maxRecipients()) {
      return failAfter(List.of(rejections.event(s, SmtpStage.RCPT, address, Replies.TOO_MANY_RECIPIENTS,
          "more than connector " + c.name() + "'s " + c.limits().maxRecipients() + " recipients per message")),
          s, Replies.TOO_MANY_RECIPIENTS);
    }
    return switch (routing.recipient(s, c.name(), r.recipient())) {
      // A discard is decided again, for good, by the plan at the end of DATA; the client sees 250.
      case RecipientVerdict.Accept a -> tooBigForRoute(s, a.route().connector())
          .map(limit -> failAfter(List.of(rejections.event(s, SmtpStage.RCPT, address, Replies.tooBigForConnector(limit),
              "declared SIZE=" + s.parameters().declaredSize() + " is over what connector '" + a.route().connector()
                  + "' can carry (" + limit + ")")), s, Replies.tooBigForConnector(limit)))
          .orElseGet(() -> reply(s.withRecipient(r.recipient()), Replies.RECIPIENT_OK));
      case RecipientVerdict.Discard d -> reply(s.withRecipient(r.recipient()), Replies.RECIPIENT_OK);
      case RecipientVerdict.Refuse refuse -> failAfter(List.of(rejections.event(s, SmtpStage.RCPT, s.sender(), address,
          null, refuse.reply(), refuse.reason(), refuse.trace())), s, refuse.reply());
    };
  }

  /**
   * The route's connector limit when the client declared ({@code SIZE=}) a larger message: refused
   * at RCPT, before the bytes travel. Without a declaration the end of DATA decides.
   */
  private Optional<Long> tooBigForRoute(SessionState s, String connector) {
    long declared = s.parameters() == null ? -1 : s.parameters().declaredSize();
    OptionalLong limit = routing.snapshot().connectorSizeLimit(connector);
    return limit.isPresent() && declared > limit.getAsLong() ? Optional.of(limit.getAsLong()) : Optional.empty();
  }

  private Transition data(SessionState s) {
    // After a BDAT the transaction is chunked; it stays so (RFC 3030: DATA there gets 503).
    if (!s.inTransaction() || s.recipients().isEmpty() || !(s.chunking() instanceof Chunking.None)) {
      return fail(s, Replies.BAD_SEQUENCE);
    }
    return new Transition(List.of(), List.of(new Effect.OpenMessage()), s.withPhase(Phase.OPENING));
  }

  /**
   * BDAT: decide now what becomes of the chunk's octets; the reply comes once they are read. The
   * first chunk opens the spool transaction as DATA does. A chunk is refused (read and discarded)
   * without a transaction with recipients, after an earlier refusal, or when the message would
   * exceed the size limit. Reading stops at 1.5 times the limit per transaction (Postfix's rule):
   * a chunk beyond that gets {@code 552} and the connection is closed without reading it, so no
   * announced size, however large, keeps the server reading.
   */
  private Transition bdat(SessionState s, Command.Bdat b) {
    long limit = connector().limits().maxMessageSize();
    long readable = limit > Long.MAX_VALUE / 3 * 2 ? Long.MAX_VALUE : limit + limit / 2;
    long received = s.chunking().received();
    if (b.size() > readable - received) {
      Transition closed = close(s, Replies.MESSAGE_TOO_BIG);
      return new Transition(closed.replies(), List.of(tooBig(s, received + b.size(), limit), closed.effects().getFirst()),
          closed.next());
    }
    return switch (s.chunking()) {
      case Chunking.Discarding d -> read(s, Chunk.refused(b, d.refusal()));
      case Chunking.None n -> {
        if (!s.inTransaction() || s.recipients().isEmpty()) {
          yield read(s, Chunk.refused(b, Replies.BAD_SEQUENCE));
        }
        if (b.size() > limit) {
          yield after(tooBig(s, b.size(), limit), read(s, Chunk.refused(b, Replies.MESSAGE_TOO_BIG)));
        }
        yield new Transition(List.of(), List.of(new Effect.OpenMessage()), s.openingForChunk(Chunk.kept(b)));
      }
      case Chunking.Accepting a -> b.size() > limit - received
          ? abandoning(after(tooBig(s, received + b.size(), limit), read(s, Chunk.refused(b, Replies.MESSAGE_TOO_BIG))))
          : read(s, Chunk.kept(b));
    };
  }

  /** The tracking event for a chunked message refused for its size. */
  private Effect.Track tooBig(SessionState s, long size, long limit) {
    return rejections.event(s, SmtpStage.DATA, null, Replies.MESSAGE_TOO_BIG,
        "message of at least " + size + " octets (BDAT) is over connector " + connector().name() + "'s limit of " + limit);
  }

  /** {@code t}, after {@code first}. */
  private static Transition after(Effect first, Transition t) {
    List<Effect> effects = new ArrayList<>();
    effects.add(first);
    effects.addAll(t.effects());
    return new Transition(t.replies(), effects, t.next());
  }

  private static Transition read(SessionState s, Chunk chunk) {
    return new Transition(List.of(), List.of(chunk.effect()), s.readingChunk(chunk));
  }

  /**
   * When {@code t} ends a transaction part-way through its chunks (RSET, HELO, EHLO), the chunks
   * already handed to the spool are dropped first.
   */
  private static Transition dropChunks(SessionState before, Transition t) {
    return before.receivingChunks() && !t.next().receivingChunks() ? abandoning(t) : t;
  }

  /** {@code t}, after the open spool transaction is abandoned. */
  private static Transition abandoning(Transition t) {
    List<Effect> effects = new ArrayList<>();
    effects.add(new Effect.AbandonMessage());
    effects.addAll(t.effects());
    return new Transition(t.replies(), effects, t.next());
  }

  private Transition startTls(SessionState s) {
    // Mid-chunks the spooled content would outlive the transaction that TLS is about to forget.
    if (s.tlsActive() || s.receivingChunks()) {
      return fail(s, Replies.BAD_SEQUENCE);
    }
    if (!context.tlsAvailable()) {
      return fail(s, Replies.NOT_IMPLEMENTED);
    }
    return new Transition(
        List.of(Replies.START_TLS), List.of(new Effect.UpgradeTls()), s.withPhase(Phase.TLS_HANDSHAKE));
  }

  private Transition auth(SessionState s, Command.Auth a) {
    InboundConnector c = connector();
    if (c.auth().users().isEmpty()) {
      return fail(s, Replies.NOT_IMPLEMENTED);
    }
    if (!c.auth().offeredOn(s.tlsActive())) {
      return failAfter(List.of(rejections.event(s, SmtpStage.AUTH, null, Replies.AUTH_NEEDS_TLS,
          "AUTH before STARTTLS; connector " + c.name() + " offers AUTH only under TLS")), s, Replies.AUTH_NEEDS_TLS);
    }
    if (s.authenticatedUser() != null) {
      return fail(s, Replies.ALREADY_AUTHENTICATED);
    }
    if (s.helo() == null || !s.esmtp() || s.inTransaction()) {
      return fail(s, Replies.BAD_SEQUENCE);
    }
    return authStep(s, SaslExchange.start(a));
  }

  private Transition authStep(SessionState s, SaslExchange.Step step) {
    return switch (step) {
      case SaslExchange.Step.Challenge ch ->
          reply(s.authenticating(ch.pending()), Replies.authChallenge(ch.base64()));
      // Malformed or cancelled exchanges are protocol errors, not refusals: only a wrong
      // authorization identity is recorded (it names no user, so nothing is logged about one).
      case SaslExchange.Step.Refused r -> r.reply().equals(Replies.AUTH_INVALID)
          ? failAfter(List.of(rejections.event(s, SmtpStage.AUTH, null, Replies.AUTH_INVALID,
              "authentication failed: the authorization identity differs from the user")), s, r.reply())
          : fail(s, r.reply());
      case SaslExchange.Step.Credentials cr -> connector().auth().verify(cr.user(), cr.password())
          ? reply(s.authenticated(cr.user()), Replies.AUTH_OK)
          : authFailed(s, cr.user());
    };
  }

  /**
   * A wrong user or password. The password and the exchange are never recorded, and a user name only
   * when the connector has such a user: an unknown "name" may be a password typed into the wrong
   * field.
   */
  private Transition authFailed(SessionState s, String user) {
    boolean known = connector().auth().users().containsKey(user);
    String reason = known ? "authentication failed: wrong password for user " + user
        : "authentication failed: unknown user (the name tried is not recorded)";
    return failAfter(List.of(rejections.event(s, SmtpStage.AUTH, s.sender(), null, known ? user : null,
        Replies.AUTH_INVALID, reason, DecisionTrace.NONE)), s, Replies.AUTH_INVALID);
  }

  /** MAIL refused: recorded with the sender the client asked for. */
  private Transition refuseMail(SessionState s, Command.Mail m, SmtpReply reply, String reason) {
    return failAfter(List.of(rejections.event(s, SmtpStage.MAIL, m.sender(), null, null, reply, reason,
        DecisionTrace.NONE)), s, reply);
  }

  private static String spoolReason(SpoolFailure failure, String step) {
    return switch (failure) {
      case FULL -> "the spool is below its free-space floor (" + step + ")";
      case ERROR -> "the spool failed to " + step + " the message (see relay.log)";
    };
  }

  private static SmtpReply spoolReply(SpoolFailure failure) {
    return switch (failure) {
      case FULL -> Replies.SPOOL_FULL;
      case ERROR -> Replies.QUEUE_FAILED;
    };
  }

  /** A refused command: counts towards maxErrors; past it the session ends with 421. */
  private Transition fail(SessionState s, SmtpReply reply) {
    SessionState next = s.withError();
    if (next.errors() > connector().limits().maxErrors()) {
      return new Transition(
          List.of(reply, Replies.TOO_MANY_ERRORS), List.of(new Effect.Close()), next.withPhase(Phase.CLOSED));
    }
    return new Transition(List.of(reply), List.of(), next.withPhase(Phase.COMMANDS));
  }

  /** {@link #fail}, with {@code first} carried out before the failure's own effects. */
  private Transition failAfter(List<Effect> first, SessionState s, SmtpReply reply) {
    Transition failed = fail(s, reply);
    List<Effect> effects = new ArrayList<>(first);
    effects.addAll(failed.effects());
    return new Transition(failed.replies(), effects, failed.next());
  }

  /**
   * A command that moves no mail: answered as usual, but past the connector's junk-command limit
   * (since the session began or last queued a message) each one also counts as a failed command,
   * so a client that only keeps the session busy is closed with {@code 421} after {@code maxErrors}
   * more (Postfix's {@code smtpd_junk_command_limit}).
   */
  private Transition junk(SessionState next, SmtpReply reply) {
    SessionState counted = next.withJunk();
    return counted.junk() > connector().limits().maxJunkCommands() ? fail(counted, reply) : reply(counted, reply);
  }

  private static Transition reply(SessionState next, SmtpReply reply) {
    return new Transition(List.of(reply), List.of(), next);
  }

  private static Transition close(SessionState s, SmtpReply reply) {
    return new Transition(List.of(reply), List.of(new Effect.Close()), s.withPhase(Phase.CLOSED));
  }

  private InboundConnector connector() {
    return context.connector().orElseThrow(() -> new IllegalStateException("client was refused at connect"));
  }

  private static void expect(SessionState s, Phase phase) {
    if (s.phase() != phase) {
      throw new IllegalStateException("input for phase " + phase + " in phase " + s.phase());
    }
  }
}
