package relay.server.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import relay.server.outbound.oauth.TokenClient;
import relay.server.outbound.oauth.TokenException;
import relay.server.outbound.oauth.TokenSource;
import relay.server.outbound.oauth.TokenSources;

/**
 * Sends mail through a {@code graph} connector: {@code POST {graph}/v1.0/users/{mailbox}/sendMail}
 * with the spooled message base64-encoded ({@code Content-Type: text/plain}), as the mailbox the
 * envelope sender's {@link SenderIdentity} names, with an app-only token from {@link TokenSources}.
 * The bytes are the message as received, plus a {@code Bcc:} header for envelope recipients no
 * header names ({@link GraphMime}); a message whose headers name an address that is not a pending
 * envelope recipient is held with the reason, never sent. A message whose request would exceed
 * Graph's 4 MB is refused ({@code 552 5.3.4}); the upload path for large messages is not built.
 *
 * <p>Every answer becomes a {@link GraphAnswer}, whose reply the {@link ReplyClassifier} gives its
 * meaning (delivered, held, bounced, throttled or transient); a 401 is retried once with a fresh
 * token. Requests at once, messages per minute and the rest after a 429 are the scheduler's
 * per-mailbox ready lanes' to keep, as for {@code smtp-auth}.
 *
 * <p>Threading: safe for concurrent use; calls block, so run them on virtual threads.
 */
public final class GraphTransport implements Transport {

  /** Graph's limit on one request; base64 makes 3 bytes of MIME 4 bytes of request. */
  public static final long MAX_REQUEST_BYTES = 4L * 1024 * 1024;
  /** The most MIME bytes one sendMail request can carry. */
  public static final long MAX_MIME_BYTES = MAX_REQUEST_BYTES / 4 * 3;

  private static final Logger log = LoggerFactory.getLogger(GraphTransport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutboundConnector.Graph connector;
  private final ReplyClassifier classifier;
  private final TokenSources tokens;
  private final HttpClient http;

  /**
   * @throws IOException when the connector's CA bundle cannot be read
   */
  public GraphTransport(OutboundConnector.Graph connector, ReplyClassifier classifier, TokenSources tokens)
      throws IOException {
    this.connector = connector;
    this.classifier = classifier;
    this.tokens = tokens;
    // Same client rules as the token endpoint's: HTTP/1.1, no redirects, verified host names.
    this.http = TokenClient.httpClient(TokenClient.trust(connector.caBundle()), connector.connectTimeout());
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException {
    Optional<SenderIdentity> identity = connector.identities().forSender(request.sender());
    if (identity.isEmpty()) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.MISCONFIGURED, "no identity of connector '"
          + connector.name() + "' maps sender <" + request.sender().address() + "> to a mailbox"));
    }
    SenderIdentity id = identity.get();
    UpstreamHop hop = UpstreamHop.plain(connector.graphUrl().getHost(), connector.graphUrl().getAuthority())
        .signedInAs(id.mailbox());
    long size = request.body().size();
    if (size > MAX_MIME_BYTES) {
      return each(request.recipients(), new AttemptReport.Replied(SmtpReply.of(552, "5.3.4",
          "message of " + size + " bytes is over Microsoft Graph's sendMail limit of " + MAX_MIME_BYTES
              + " bytes (4 MB per request after base64); Relay does not upload large messages through Graph yet"),
          hop));
    }
    GraphMime mime;
    try (InputStream in = request.body().open()) {
      mime = new GraphMime(in.readAllBytes(), request.recipients());
    } catch (IOException e) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.LOCAL_ERROR,
          "cannot read message " + request.id() + " from the spool: " + e.getMessage()));
    } catch (MessagingException e) {
      return each(request.recipients(), new AttemptReport.Replied(SmtpReply.of(554, "5.6.0",
          "the message's address headers cannot be read, so Graph cannot be told its recipients: " + e.getMessage()),
          hop));
    }
    if (mime.strangersText().isPresent()) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.MISCONFIGURED, "not sent through Graph: "
          + "the To/Cc/Bcc headers name " + mime.strangersText().get() + ", which the envelope does not; Graph sends "
          + "to every address in the headers, so Relay holds the message rather than send to them"));
    }
    byte[] bytes = mime.bytes();
    if (bytes.length > MAX_MIME_BYTES) {
      return each(request.recipients(), new AttemptReport.Replied(SmtpReply.of(552, "5.3.4",
          "message of " + bytes.length + " bytes (with the Bcc header) is over Microsoft Graph's sendMail limit of "
              + MAX_MIME_BYTES + " bytes; Relay does not upload large messages through Graph yet"), hop));
    }
    SubmissionCredential.OAuth credential = id.credential() instanceof SubmissionCredential.OAuth o
        ? o : connector.credential();
    return send(request, id.mailbox(), credential, Base64.getEncoder().encode(bytes), hop);
  }

  private List<RecipientOutcome> send(DeliveryRequest request, String mailbox, SubmissionCredential.OAuth credential,
      byte[] body, UpstreamHop hop) throws InterruptedException {
    TokenSource source;
    AccessToken token;
    try {
      source = tokens.forCredential(credential);
      token = source.token();
    } catch (IOException | TokenException e) {
      return each(request.recipients(), tokenProblem(e));
    }
    GraphAnswer answer;
    try {
      answer = post(mailbox, token, body);
      if (answer.status() == 401) {
        log.info("connector '{}': Graph refused the token for {}; asking for a fresh one", connector.name(), mailbox);
        source.invalidate(token);
        token = source.token();
        answer = post(mailbox, token, body);
      }
    } catch (TokenException e) {
      return each(request.recipients(), tokenProblem(e));
    } catch (HttpTimeoutException e) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.CONNECTION_LOST,
          "no answer from " + connector.graphUrl() + " in time: " + e.getMessage(), hop));
    } catch (IOException e) {
      return each(request.recipients(), new AttemptReport.Local(LocalCause.CONNECTION_FAILED,
          connector.graphUrl() + ": " + e, hop));
    }
    AttemptReport report = new AttemptReport.Replied(answer.reply(), hop);
    if (answer.status() >= 200 && answer.status() < 300) {
      log.debug("connector '{}': message {} accepted by Graph for {}", connector.name(), request.id(), mailbox);
    } else {
      log.warn("connector '{}': message {} as {}: {}", connector.name(), request.id(), mailbox, report.line());
    }
    if ("ErrorInvalidRecipients".equalsIgnoreCase(answer.code())) {
      return invalidRecipients(request.recipients(), answer, report, hop);
    }
    return each(request.recipients(), report);
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

  private GraphAnswer post(String mailbox, AccessToken token, byte[] body) throws IOException, InterruptedException {
    URI uri = URI.create(connector.graphUrl() + "/v1.0/users/"
        + URLEncoder.encode(mailbox, StandardCharsets.UTF_8).replace("+", "%20") + "/sendMail");
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(connector.readTimeout())
        .header("Authorization", "Bearer " + token.value().reveal())
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return answer(response.statusCode(), response.body(),
        response.headers().firstValue("Retry-After").flatMap(GraphTransport::seconds).orElse(null));
  }

  /** Microsoft's error body, {@code {"error":{"code":"...","message":"..."}}}; anything else is kept short. */
  static GraphAnswer answer(int status, byte[] body, Duration retryAfter) {
    String code = "";
    String message = "";
    if (body != null && body.length > 0) {
      try {
        JsonNode error = JSON.readTree(body).path("error");
        code = error.path("code").asText("");
        message = error.path("message").asText("");
      } catch (IOException e) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        message = text.length() > 200 ? text.substring(0, 200) + "..." : text;
      }
    }
    return new GraphAnswer(status, code, message, retryAfter);
  }

  private static Optional<Duration> seconds(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP date: the lane's own rest applies
    }
  }

  private AttemptReport tokenProblem(Exception e) {
    String reason = "no token for connector '" + connector.name() + "': " + e.getMessage();
    boolean hold = !(e instanceof TokenException t) || t.isConfigurationProblem();
    return new AttemptReport.Local(hold ? LocalCause.MISCONFIGURED : LocalCause.CREDENTIAL_UNAVAILABLE, reason);
  }

  private List<RecipientOutcome> each(List<Recipient> recipients, AttemptReport report) {
    return recipients.stream().map(r -> classifier.outcome(r, report)).toList();
  }
}
