package relay.server.outbound;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.GraphAnswer;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.server.outbound.oauth.AccessToken;
import relay.server.outbound.oauth.TokenException;
import relay.server.outbound.oauth.TokenSource;
import relay.server.outbound.oauth.TokenSources;

/**
 * Sends mail through a {@code graph} connector: {@code sendMail} requests ({@link GraphClient}) with
 * the spooled message base64-encoded, as the mailbox the envelope sender's {@link SenderIdentity}
 * names ({@code <>}, then {@code *}, for notifications), with an app-only token from
 * {@link TokenSources}. The bytes are the message as received, plus a {@code Bcc:} header for
 * envelope recipients no header names, and for a notification a {@code From:} of the mailbox
 * ({@link GraphMime}); a message whose headers name an address that is not a pending envelope
 * recipient is held with the reason, never sent.
 *
 * <p>Size: a request carries at most {@link OutboundConnector.Graph#MAX_MIME_BYTES} of MIME. Routes to
 * a graph connector refuse larger mail at SMTP time; a message queued before (another route, a
 * configuration change) that is still too large is refused here with {@code 552 5.3.4}, which
 * bounces it once with a DSN instead of retrying it forever.
 *
 * <p>Recipients: Graph takes at most {@code pacing.recipients-per-message} per message. More pending
 * recipients than that are sent in several requests (the ready lane counted each as a transaction),
 * each naming its own share in the added {@code Bcc:}; that is only possible when the headers name
 * none of them, since Graph sends to every header address in every request. Otherwise the message
 * is held with the reason. After a request that is not delivered or refused for its own recipients
 * (throttled, held, transient), the later shares are not sent and share its outcome.
 *
 * <p>Every answer becomes a {@link GraphAnswer}, whose reply the {@link ReplyClassifier} gives its
 * meaning; its {@code Retry-After} rides along in the report so that the mailbox's ready lane rests
 * at least that long. A 401 is retried once with a fresh token.
 *
 * <p>Threading: safe for concurrent use; calls block, so run them on virtual threads.
 */
public final class GraphTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(GraphTransport.class);

  private final OutboundConnector.Graph connector;
  private final ReplyClassifier classifier;
  private final TokenSources tokens;
  private final GraphClient graph;

  /**
   * @throws IOException when the connector's CA bundle cannot be read
   */
  public GraphTransport(OutboundConnector.Graph connector, ReplyClassifier classifier, TokenSources tokens)
      throws IOException {
    this.connector = connector;
    this.classifier = classifier;
    this.tokens = tokens;
    this.graph = new GraphClient(connector);
  }

  /** Ends both HTTP clients, Graph's and the token endpoint's (their selector threads included). */
  @Override
  public void close() {
    graph.close();
    tokens.close();
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException {
    Optional<SenderIdentity> identity = connector.identities().forSender(request.sender());
    if (identity.isEmpty()) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.MISCONFIGURED, "no identity of connector '"
          + connector.name() + "' maps sender <" + request.sender().address() + "> to a mailbox"
          + (request.sender().isNull() ? " (add { sender = \"<>\", mailbox = ... } for notifications)" : "")));
    }
    SenderIdentity id = identity.get();
    UpstreamHop hop = UpstreamHop.plain(connector.graphUrl().getHost(), connector.graphUrl().getAuthority())
        .signedInAs(id.mailbox());
    long size = request.body().size();
    if (size > OutboundConnector.Graph.MAX_MIME_BYTES) {
      return each(request.recipients(), tooBig(size, hop));
    }
    byte[] message;
    try (InputStream in = request.body().open()) {
      message = in.readAllBytes();
    } catch (IOException e) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.LOCAL_ERROR,
          "cannot read message " + request.id() + " from the spool: " + e.getMessage()));
    }
    String fromMailbox = request.sender().isNull() ? id.mailbox() : null;
    List<List<Recipient>> shares;
    try {
      GraphMime whole = new GraphMime(message, request.recipients(), fromMailbox);
      if (whole.strangersText().isPresent()) {
        return each(request.recipients(), new AttemptReport.Local(LocalCause.MISCONFIGURED, "not sent through Graph: "
            + "the To/Cc/Bcc headers name " + whole.strangersText().get() + ", which the envelope does not; Graph "
            + "sends to every address in the headers, so Relay holds the message rather than send to them"));
      }
      int per = connector.pacing().recipientsPerMessage();
      if (request.recipients().size() > per && !whole.named().isEmpty()) {
        return each(request.recipients(), new AttemptReport.Local(LocalCause.MISCONFIGURED, "not sent through Graph: "
            + request.recipients().size() + " recipients are more than the " + per + " one request may carry, and the "
            + "To/Cc headers name " + whole.named().size() + " of them, to whom Graph would send again with every "
            + "request; raise pacing.recipients-per-message if the tenant allows more (Exchange: up to 1,000)"));
      }
      shares = shares(request.recipients(), per);
    } catch (MessagingException e) {
      return each(request.recipients(), new AttemptReport.Replied(SmtpReply.of(554, "5.6.0",
          "the message's address headers cannot be read, so Graph cannot be told its recipients: " + e.getMessage()),
          hop));
    }
    SubmissionCredential.OAuth credential = id.credential() instanceof SubmissionCredential.OAuth o
        ? o : connector.credential();
    List<RecipientOutcome> out = new ArrayList<>(request.recipients().size());
    for (int i = 0; i < shares.size(); i++) {
      List<RecipientOutcome> got = share(request, shares.get(i), message, fromMailbox, id.mailbox(), credential, hop);
      out.addAll(got);
      Optional<RecipientOutcome> stop = got.stream()
          .filter(o -> !(o instanceof RecipientOutcome.Delivered) && !(o instanceof RecipientOutcome.PermanentFailure))
          .findFirst();
      if (stop.isPresent() && i + 1 < shares.size()) {
        // Throttled, held or failing: the same would happen to the rest now; they wait for the next attempt.
        for (List<Recipient> later : shares.subList(i + 1, shares.size())) {
          out.addAll(each(later, stop.get().report()));
        }
        break;
      }
    }
    return out;
  }

  /** One request: the share's recipients in the Bcc header (those no header names), sent and classified. */
  private List<RecipientOutcome> share(DeliveryRequest request, List<Recipient> recipients, byte[] message,
      String fromMailbox, String mailbox, SubmissionCredential.OAuth credential, UpstreamHop hop)
      throws InterruptedException {
    byte[] bytes;
    try {
      bytes = new GraphMime(message, recipients, fromMailbox).bytes();
    } catch (MessagingException e) {
      return each(recipients, new AttemptReport.Replied(SmtpReply.of(554, "5.6.0",
          "the message's address headers cannot be read: " + e.getMessage()), hop));
    }
    if (bytes.length > OutboundConnector.Graph.MAX_MIME_BYTES) {
      return each(recipients, tooBig(bytes.length, hop));
    }
    return send(request, recipients, mailbox, credential, Base64.getEncoder().encode(bytes), hop);
  }

  private List<RecipientOutcome> send(DeliveryRequest request, List<Recipient> recipients, String mailbox,
      SubmissionCredential.OAuth credential, byte[] body, UpstreamHop hop) throws InterruptedException {
    TokenSource source;
    AccessToken token;
    try {
      source = tokens.forCredential(credential);
      token = source.token();
    } catch (IOException | TokenException e) {
      return each(recipients, tokenProblem(e));
    }
    GraphAnswer answer;
    try {
      answer = graph.sendMail(mailbox, token, body);
      if (answer.status() == 401) {
        log.info("connector '{}': Graph refused the token for {}; asking for a fresh one", connector.name(), mailbox);
        source.invalidate(token);
        token = source.token();
        answer = graph.sendMail(mailbox, token, body);
      }
    } catch (TokenException e) {
      return each(recipients, tokenProblem(e));
    } catch (HttpTimeoutException e) {
      return each(recipients, new AttemptReport.Local(LocalCause.CONNECTION_LOST,
          "no answer from " + connector.graphUrl() + " in time: " + e.getMessage(), hop));
    } catch (IOException e) {
      return each(recipients, new AttemptReport.Local(LocalCause.CONNECTION_FAILED,
          connector.graphUrl() + (connector.httpsProxy() == null ? "" : " through proxy " + connector.httpsProxy())
              + ": " + e, hop));
    }
    AttemptReport report = new AttemptReport.Replied(answer.reply(), hop, answer.retryAfter());
    if (answer.status() >= 200 && answer.status() < 300) {
      log.debug("connector '{}': message {} accepted by Graph for {}", connector.name(), request.id(), mailbox);
    } else {
      log.warn("connector '{}': message {} as {}: {}", connector.name(), request.id(), mailbox, report.line());
    }
    if ("ErrorInvalidRecipients".equalsIgnoreCase(answer.code())) {
      return invalidRecipients(recipients, answer, report, hop);
    }
    return each(recipients, report);
  }

  /**
   * Graph refused the whole request for some recipients: those its message names fail permanently
   * (all of them when it names none); the others are tried again, and Relay then holds the message
   * because its headers still name the refused ones (Graph would send to them).
   */
  private List<RecipientOutcome> invalidRecipients(List<Recipient> recipients, GraphAnswer answer,
      AttemptReport report, UpstreamHop hop) {
    String said = answer.message().toLowerCase(Locale.ROOT);
    List<Recipient> named = recipients.stream()
        .filter(r -> said.contains(r.address().address().toLowerCase(Locale.ROOT))).toList();
    if (named.isEmpty()) {
      return each(recipients, report);
    }
    AttemptReport others = new AttemptReport.Replied(SmtpReply.of(451, "4.4.0", GraphAnswer.PREFIX + answer.status()
        + " " + answer.code() + " for other recipients of the message: " + answer.message()), hop);
    List<RecipientOutcome> out = new ArrayList<>();
    for (Recipient r : recipients) {
      out.add(classifier.outcome(r, named.contains(r) ? report : others));
    }
    return out;
  }

  /** The recipients in shares of at most {@code per}, in envelope order. */
  static List<List<Recipient>> shares(List<Recipient> recipients, int per) {
    List<List<Recipient>> shares = new ArrayList<>();
    for (int from = 0; from < recipients.size(); from += per) {
      shares.add(List.copyOf(recipients.subList(from, Math.min(recipients.size(), from + per))));
    }
    return shares;
  }

  private static AttemptReport tooBig(long size, UpstreamHop hop) {
    return new AttemptReport.Replied(SmtpReply.of(552, "5.3.4", "message of " + size + " bytes is over Microsoft "
        + "Graph's sendMail limit of " + OutboundConnector.Graph.MAX_MIME_BYTES + " bytes (4 MB per request after "
        + "base64); Relay does not send larger messages through Graph"), hop);
  }

  private AttemptReport tokenProblem(Exception e) {
    String reason = "no token for connector '" + connector.name() + "'"
        + (connector.httpsProxy() == null ? "" : " (through proxy " + connector.httpsProxy() + ")") + ": " + e.getMessage();
    boolean hold = !(e instanceof TokenException t) || t.isConfigurationProblem();
    return new AttemptReport.Local(hold ? LocalCause.MISCONFIGURED : LocalCause.CREDENTIAL_UNAVAILABLE, reason);
  }

  private List<RecipientOutcome> each(List<Recipient> recipients, AttemptReport report) {
    return recipients.stream().map(r -> classifier.outcome(r, report)).toList();
  }
}
