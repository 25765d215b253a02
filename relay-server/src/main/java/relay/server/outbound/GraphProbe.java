package relay.server.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.delivery.GraphAnswer;
import relay.core.envelope.MailPath;
import relay.server.outbound.oauth.AccessToken;
import relay.server.outbound.oauth.EntraErrors;
import relay.server.outbound.oauth.TokenException;
import relay.server.outbound.oauth.TokenSources;

/**
 * {@code relay test-connector} for a {@code graph} connector: the identity the sender maps to, an
 * app-only token from the connector's own token client (its {@code https-proxy} and trust), the
 * token's {@code roles} claim read for {@code Mail.Send}, and a <em>dry request</em>: a real
 * {@code POST .../users/{mailbox}/sendMail} through the connector's {@link GraphClient} whose body is
 * deliberately not base64. Graph authenticates and authorises the request (token, {@code Mail.Send},
 * application access policy or RBAC scope, the mailbox) before it reads the body, then refuses it
 * with {@code 400 ErrorMimeContentInvalidBase64String}: nothing can be sent, and that refusal is the
 * pass. What the dry request cannot see: Send As rights for a {@code From:} other than the mailbox
 * (Graph checks them only on a message), which {@code --send} tests with a real one.
 *
 * <p>Single use, one thread; blocks on the network.
 */
final class GraphProbe {

  /** The dry request's body: it contains spaces and a colon, so it is not base64 and cannot be a message. */
  static final byte[] DRY_BODY = "relay test-connector: dry request, not a message".getBytes(StandardCharsets.US_ASCII);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutboundConnector.Graph connector;
  private final InstantSource clock;
  private final TokenSources tokens;
  private final GraphClient graph;

  GraphProbe(OutboundConnector.Graph connector, InstantSource clock, TokenSources tokens) throws IOException {
    this.connector = connector;
    this.clock = clock;
    this.tokens = tokens;
    this.graph = new GraphClient(connector);
  }

  void run(MailPath from, MailPath to, boolean send, List<ProbeStep> steps) throws InterruptedException {
    MailPath sender = from;
    if (sender == null && !connector.identities().entries().isEmpty()) {
      String first = connector.identities().entries().getFirst().mailbox();
      sender = MailPath.parse(first);
    }
    Optional<SenderIdentity> identity = sender == null ? Optional.empty() : connector.identities().forSender(sender);
    if (identity.isEmpty()) {
      steps.add(ProbeStep.fail("identity", "no identity maps " + (sender == null ? "the sender" : "<" + sender.address()
          + ">") + " to a mailbox: such mail is held", "add an identity for this sender (or a catch-all sender = \"*\")"));
      return;
    }
    SenderIdentity id = identity.get();
    steps.add(ProbeStep.pass("identity", "<" + sender.address() + "> is sent as mailbox " + id.mailbox()));
    if (connector.httpsProxy() != null) {
      steps.add(ProbeStep.pass("proxy", "Graph and the token endpoint are reached through " + connector.httpsProxy()
          + " (HTTP CONNECT)"));
    }
    SubmissionCredential.OAuth credential = id.credential() instanceof SubmissionCredential.OAuth o
        ? o : connector.credential();
    AccessToken token = token(credential, steps);
    if (token == null || !permission(token, steps)) {
      return;
    }
    GraphAnswer dry = request("dry request", id.mailbox(), token, DRY_BODY, steps);
    if (dry == null) {
      return;
    }
    if (dry.status() == 400 && dry.code().startsWith("ErrorMimeContent")) {
      steps.add(ProbeStep.pass("dry request", "Graph took the token and the app's access to " + id.mailbox()
          + ", and refused the body, which is not a message (" + dry.code() + "): nothing was sent"));
    } else {
      steps.add(verdict("dry request", dry, id.mailbox()));
      return;
    }
    if (!send) {
      steps.add(ProbeStep.pass("send", "nothing sent (use --send to send a test message)"));
      return;
    }
    MailPath recipient = to != null ? to : sender.isNull() ? MailPath.parse(id.mailbox()) : sender;
    String fromHeader = sender.isNull() ? id.mailbox() : sender.address();
    String message = "From: " + fromHeader + "\r\nTo: " + recipient.address() + "\r\nSubject: Relay connector test\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + "A test message from relay test-connector " + connector.name() + " at " + clock.instant() + ".\r\n";
    GraphAnswer sent = request("message", id.mailbox(), token,
        Base64.getEncoder().encode(message.getBytes(StandardCharsets.US_ASCII)), steps);
    if (sent != null) {
      steps.add(sent.status() == 202
          ? ProbeStep.pass("message", "Graph accepted the test message to <" + recipient.address() + "> (202; "
              + "delivery is asynchronous, follow it in the mailbox's Sent Items)")
          : verdict("message", sent, id.mailbox()));
    }
  }

  private AccessToken token(SubmissionCredential.OAuth o, List<ProbeStep> steps) {
    String who = "tenant " + o.tenant() + ", client " + o.clientId();
    try {
      AccessToken token = tokens.forCredential(o).token();
      steps.add(ProbeStep.pass("token", "app-only token for " + who + " from " + o.authority() + ", valid for "
          + token.remaining(clock.instant()).toMinutes() + " minutes"));
      return token;
    } catch (TokenException e) {
      String hint = e.errorReply().flatMap(EntraErrors::explain).orElse(e.errorReply().isPresent()
          ? "check tenant, client-id and the credential against the app registration in Entra ID"
          : "check that this machine reaches " + o.authority() + " (https-proxy, firewall, DNS) and trusts its certificate");
      steps.add(ProbeStep.fail("token", "no token for " + who + ": " + e.getMessage(), hint));
    } catch (IOException e) {
      steps.add(ProbeStep.fail("token", "cannot read the credential's certificate or key: " + e.getMessage(),
          "check the certificate and key files of the credential"));
    }
    return null;
  }

  /** Reads the token's claims (never shows the token): {@code roles} must hold {@code Mail.Send}. */
  private static boolean permission(AccessToken token, List<ProbeStep> steps) {
    String[] parts = token.value().reveal().split("\\.");
    JsonNode claims;
    try {
      claims = parts.length == 3 ? JSON.readTree(Base64.getUrlDecoder().decode(parts[1])) : null;
    } catch (IOException | IllegalArgumentException e) {
      claims = null;
    }
    if (claims == null || !claims.isObject()) {
      steps.add(ProbeStep.warn("permission", "the token is not a readable JWT, so its roles cannot be checked",
          "the dry request below still tests the permission"));
      return true;
    }
    List<String> roles = new ArrayList<>();
    claims.path("roles").forEach(r -> roles.add(r.asText()));
    if (roles.contains("Mail.Send")) {
      steps.add(ProbeStep.pass("permission", "the token carries the application permission Mail.Send (roles: "
          + String.join(", ", roles) + ")"));
      return true;
    }
    steps.add(ProbeStep.fail("permission", "the token carries no Mail.Send application permission (roles: "
        + (roles.isEmpty() ? "none" : String.join(", ", roles)) + ")",
        "in Entra ID, add the Microsoft Graph application permission Mail.Send to the app registration and grant "
            + "admin consent (a delegated Mail.Send does not work app-only)"));
    return false;
  }

  /** One request; a failure to get any answer is a failed step (and null). */
  private GraphAnswer request(String step, String mailbox, AccessToken token, byte[] body, List<ProbeStep> steps)
      throws InterruptedException {
    try {
      return graph.sendMail(mailbox, token, body);
    } catch (HttpTimeoutException e) {
      steps.add(ProbeStep.fail(step, "no answer from " + connector.graphUrl() + " within " + connector.readTimeout(),
          "check the network path to Graph (https-proxy, firewall)"));
    } catch (IOException e) {
      steps.add(ProbeStep.fail(step, connector.graphUrl() + (connector.httpsProxy() == null ? "" : " through proxy "
          + connector.httpsProxy()) + ": " + UpstreamConnections.describe(e),
          "check that this machine reaches " + connector.graphUrl() + " (https-proxy, firewall, DNS) and trusts it"));
    }
    return null;
  }

  /** A Graph answer that is not the one hoped for, with what to do about it. */
  private static ProbeStep verdict(String step, GraphAnswer answer, String mailbox) {
    String said = answer.reply().toString();
    String hint = switch (answer.status()) {
      case 401 -> "Graph refused the token: check that oauth.scope is https://graph.microsoft.com/.default";
      case 403 -> answer.code().equalsIgnoreCase("ErrorSendAsDenied")
          ? "the mailbox may not send as this From address: Add-RecipientPermission (Send As), or map the sender to "
              + "a mailbox that may"
          : "grant Mail.Send with admin consent, and check that the application access policy or RBAC scope "
              + "includes " + mailbox + " (Test-ApplicationAccessPolicy)";
      case 404 -> "no mailbox " + mailbox + " in the tenant: check the identities";
      case 429 -> "Graph is throttling this app and mailbox now: try again after Retry-After";
      case 400 -> "Graph refused the request in a way the dry request does not expect; the token and access "
          + "checks may still be fine: try --send to a mailbox of your own";
      default -> "see what Graph said; 5xx answers are usually passing";
    };
    return answer.status() == 429 || answer.status() == 400 || answer.status() >= 500
        ? ProbeStep.warn(step, said, hint)
        : ProbeStep.fail(step, said, hint);
  }
}
