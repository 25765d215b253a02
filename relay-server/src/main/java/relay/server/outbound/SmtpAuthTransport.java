package relay.server.outbound;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SenderRewrite;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.tracking.ProtocolLog;
import relay.server.outbound.oauth.AccessToken;
import relay.server.outbound.oauth.TokenException;
import relay.server.outbound.oauth.TokenSource;
import relay.server.outbound.oauth.TokenSources;

/**
 * Submits mail to Microsoft 365 through an {@code smtp-auth} connector: each envelope sender is
 * mapped to the mailbox it is submitted as ({@link SenderIdentity}), STARTTLS is always required
 * with a verified certificate (TLS 1.2+), then SMTP AUTH with XOAUTH2 (an app-only token) or
 * LOGIN/PLAIN. Signed-in sessions are kept per mailbox and reused for later messages; a message with
 * more than {@code recipientsPerMessage} recipients is sent as several transactions, one after the
 * other on one session. A request that {@linkplain DeliveryRequest#requireTls() requires TLS} needs
 * nothing more: every session here is already encrypted and verified, or nothing is sent.
 *
 * <p>It never gates or waits: sessions per mailbox, messages per minute, recipients per day and
 * the rest after a throttling reply are the scheduler's ready lanes' to keep ({@code
 * relay.core.schedule.LaneRule.PerMailbox}), which hand this transport one message at a time on a
 * lease. A token the {@link ReplyClassifier} says was refused ({@link ReplyClassifier#refusesToken})
 * is replaced once and the sign-in retried; a second refusal, and every reply or local cause the
 * classifier calls a configuration problem, holds the mail with the reason. Outcomes report the hop
 * with the mailbox signed in as.
 *
 * <p>Threading: safe for concurrent use; calls block, so run them on virtual threads.
 */
public final class SmtpAuthTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(SmtpAuthTransport.class);

  private final OutboundConnector.SmtpAuth connector;
  private final ReplyClassifier classifier;
  private final ProtocolLog protocolLog;
  private final TokenSources tokens;
  private final UpstreamTls tls;
  private final Map<String, Session> sessionsByMechanism = new ConcurrentHashMap<>();
  private final Map<String, MailboxLane> lanes = new ConcurrentHashMap<>();
  private final AtomicLong sessionIds = new AtomicLong();
  private final StallWatch stallWatch;
  private final SocketCapture capture = new SocketCapture();
  private final boolean keepIdleSessions;

  /** A sign-in that did not work; {@code report} is what each recipient's outcome rests on. */
  private static final class SignInFailed extends Exception {
    final AttemptReport report;

    SignInFailed(AttemptReport report) {
      super(report.line(), null, false, false);
      this.report = report;
    }
  }

  /**
   * @throws IOException when the connector's CA bundle cannot be read
   */
  public SmtpAuthTransport(OutboundConnector.SmtpAuth connector, ReplyClassifier classifier, ProtocolLog protocolLog,
      InstantSource clock, TokenSources tokens) throws IOException {
    this(connector, classifier, protocolLog, clock, tokens, true);
  }

  /**
   * @param keepIdleSessions whether a session stays open for the mailbox's next message. False in a
   *     cluster: Microsoft counts open sessions per mailbox, and the shared lease covers an attempt,
   *     not an idle session another node cannot see; so each attempt signs in and says QUIT.
   * @throws IOException when the connector's CA bundle cannot be read
   */
  public SmtpAuthTransport(OutboundConnector.SmtpAuth connector, ReplyClassifier classifier, ProtocolLog protocolLog,
      InstantSource clock, TokenSources tokens, boolean keepIdleSessions) throws IOException {
    this.keepIdleSessions = keepIdleSessions;
    this.connector = connector;
    this.classifier = classifier;
    this.protocolLog = protocolLog;
    this.tokens = tokens;
    // Submission to Microsoft 365: STARTTLS always, chain and host name verified, TLS 1.2 or newer.
    this.tls = UpstreamTls.of(tlsPolicy(connector), clock);
    this.stallWatch = new StallWatch(connector.name(), connector.readTimeout());
  }

  /** The TLS policy of every submission session (also what {@code relay test-connector} checks). */
  static TlsPolicy tlsPolicy(OutboundConnector.SmtpAuth connector) {
    return TlsPolicy.verify(List.of(), connector.caBundle());
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException {
    Optional<SenderIdentity> identity = connector.identities().forSender(request.sender());
    if (identity.isEmpty()) {
      AttemptReport report = new AttemptReport.Local(LocalCause.MISCONFIGURED, "no identity of connector '"
          + connector.name() + "' maps sender <" + request.sender().address() + "> to a mailbox");
      return request.recipients().stream().map(r -> classifier.outcome(r, report)).toList();
    }
    SenderIdentity id = identity.get();
    SubmissionCredential credential = id.credential() != null ? id.credential() : connector.credential();
    MailboxLane lane = lanes.computeIfAbsent(id.mailbox().toLowerCase(Locale.ROOT),
        m -> new MailboxLane(id.mailbox(), credential));
    Map<Recipient, RecipientOutcome> outcomes = new LinkedHashMap<>();
    List<Recipient> all = request.recipients();
    int per = connector.pacing().recipientsPerMessage();
    for (int from = 0; from < all.size(); from += per) {
      outcomes.putAll(sendChunk(lane, id, request, all.subList(from, Math.min(all.size(), from + per))));
    }
    return all.stream().map(outcomes::get).toList();
  }

  @Override
  public void close() {
    lanes.values().forEach(lane -> lane.drain().forEach(SmtpAuthTransport::closeQuietly));
    stallWatch.close();
    tokens.close();
  }

  private Map<Recipient, RecipientOutcome> sendChunk(MailboxLane lane, SenderIdentity id, DeliveryRequest request,
      List<Recipient> chunk) {
    UpstreamConnection connection;
    try {
      connection = session(lane);
    } catch (SignInFailed e) {
      log.warn("connector '{}': mailbox {} cannot sign in: {}", connector.name(), lane.mailbox, e.getMessage());
      return each(chunk, e.report);
    }
    boolean reusable = false;
    try {
      UpstreamTransaction.Result result = send(connection, id, request, chunk);
      reusable = result.reusable();
      Map<Recipient, RecipientOutcome> out = new LinkedHashMap<>();
      result.replies().forEach((r, reply) ->
          out.put(r, classifier.outcome(r, new AttemptReport.Replied(reply, connection.hop()))));
      return out;
    } catch (MessagingException | RuntimeException e) {
      // The session broke off (or, for a RuntimeException, our side failed) mid-conversation.
      return each(chunk, new AttemptReport.Local(
          e instanceof MessagingException ? LocalCause.CONNECTION_LOST : LocalCause.LOCAL_ERROR,
          connection.host() + ": " + UpstreamConnections.describe(e), connection.hop()));
    } finally {
      if (reusable && keepIdleSessions) {
        lane.putIdle(connection);
      } else {
        closeQuietly(connection);
      }
    }
  }

  private UpstreamConnection session(MailboxLane lane) throws SignInFailed {
    UpstreamConnection idle;
    while ((idle = lane.takeIdle()) != null) {
      try {
        if (idle.transport().simpleCommand("RSET") == 250) {
          return idle;
        }
      } catch (MessagingException | IllegalStateException e) {
        log.debug("idle session of {} is gone", lane.mailbox, e);
      }
      closeQuietly(idle);
    }
    return switch (lane.credential) {
      case SubmissionCredential.Password p -> signIn(lane, p.mechanism().name(), p.password().reveal());
      case SubmissionCredential.OAuth o -> signInWithToken(lane, o);
    };
  }

  private UpstreamConnection signInWithToken(MailboxLane lane, SubmissionCredential.OAuth credential) throws SignInFailed {
    TokenSource source;
    AccessToken token;
    try {
      source = tokens.forCredential(credential);
      token = source.token();
    } catch (IOException | TokenException e) {
      throw tokenProblem(e);
    }
    try {
      return signIn(lane, "XOAUTH2", token.value().reveal());
    } catch (SignInFailed first) {
      if (!(first.report instanceof AttemptReport.Replied refused && classifier.refusesToken(refused.reply()))) {
        throw first;
      }
      log.info("connector '{}': token refused for {}; asking for a fresh one", connector.name(), lane.mailbox);
      source.invalidate(token);
      try {
        token = source.token();
      } catch (TokenException e) {
        throw tokenProblem(e);
      }
      // A second refusal is reported like the first (the log line above says a fresh token was tried).
      return signIn(lane, "XOAUTH2", token.value().reveal());
    }
  }

  private SignInFailed tokenProblem(Exception e) {
    String reason = "no token for connector '" + connector.name() + "': " + e.getMessage();
    boolean hold = !(e instanceof TokenException t) || t.isConfigurationProblem();
    return new SignInFailed(
        new AttemptReport.Local(hold ? LocalCause.MISCONFIGURED : LocalCause.CREDENTIAL_UNAVAILABLE, reason));
  }

  private UpstreamConnection signIn(MailboxLane lane, String mechanism, String secret) throws SignInFailed {
    Session session = sessionsByMechanism.computeIfAbsent(mechanism, this::mailSession);
    String id = connector.name() + "-" + sessionIds.incrementAndGet();
    UpstreamHost host = connector.host();
    TracedSmtpTransport transport =
        new TracedSmtpTransport(session, capture, protocolLog, id, connector.name(), host.toString());
    try {
      transport.connect(host.host(), host.port(), lane.mailbox, secret);
      return new UpstreamConnection(transport, host, hop(host, transport, lane));
    } catch (AuthenticationFailedException e) {
      SmtpReply reply = UpstreamReply.parse(transport.getLastReturnCode(), transport.getLastServerResponse());
      UpstreamConnection refused = new UpstreamConnection(transport, host, hop(host, transport, lane));
      closeQuietly(refused);
      throw new SignInFailed(new AttemptReport.Replied(reply, refused.hop()));
    } catch (MessagingException e) {
      throw new SignInFailed(tls.refusal(host, e));
    }
  }

  /** The hop of a session to {@code host}, signed in (or trying to sign in) as the lane's mailbox. */
  private UpstreamHop hop(UpstreamHost host, TracedSmtpTransport transport, MailboxLane lane) {
    UpstreamHop hop = tls.hop(host.host(), host, transport.socket());
    return hop == null ? null : hop.signedInAs(lane.mailbox);
  }

  private UpstreamTransaction.Result send(UpstreamConnection connection, SenderIdentity id,
      DeliveryRequest request, List<Recipient> chunk) throws MessagingException {
    SpooledMessage message = id.rewriteTo() == null
        ? new SpooledMessage(request.body())
        : new RewrittenMessage(request.body(), new SenderRewrite(id.rewriteTo()));
    MailPath sender = request.sender();
    String reversePath = id.rewriteTo() != null ? id.rewriteTo() : sender.isNull() ? "" : sender.address();
    connection.transport().beginMessage(request.id(), chunk.size());
    // DSN parameters go to smart hosts and MX hosts; submission sends without them, as it always
    // has (Microsoft 365 reports to the mailbox it sends as).
    return UpstreamTransaction.send(connection.transport(),
        UpstreamTransaction.Envelope.of(connection.transport(), request, reversePath, chunk, false), message);
  }

  private Session mailSession(String mechanism) {
    Properties props = new Properties();
    props.put("mail.smtp.localhost", connector.heloName());
    props.put("mail.smtp.connectiontimeout", Long.toString(connector.connectTimeout().toMillis()));
    stallWatch.apply(props);
    props.put("mail.smtp.auth", "true");
    props.put("mail.smtp.auth.mechanisms", mechanism);
    props.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
    tls.apply(props);
    capture.apply(props);
    return Session.getInstance(props);
  }

  private Map<Recipient, RecipientOutcome> each(List<Recipient> rs, AttemptReport report) {
    Map<Recipient, RecipientOutcome> out = new LinkedHashMap<>();
    rs.forEach(r -> out.put(r, classifier.outcome(r, report)));
    return out;
  }

  private static void closeQuietly(UpstreamConnection connection) {
    try {
      connection.transport().close();
    } catch (MessagingException | RuntimeException e) {
      log.debug("closing submission session to {} failed", connection.host(), e);
    }
  }
}
