package relay.config.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;

/**
 * Binds the keys of a {@code graph} connector (Microsoft Graph {@code sendMail}) into an
 * {@link OutboundConnector.Graph}: the same {@code oauth} block and {@code identities} as
 * {@code smtp-auth} (bound by {@link SmtpAuthBinder}, with Graph's scope as the default), the
 * {@code graph-url}, the trust of the Graph endpoint ({@code ca-file}), timeouts, the
 * {@code https-proxy} (for Graph and the token endpoint alike), {@code save-to-sent-items} and the
 * per-mailbox {@code pacing} (Graph's defaults: 4 requests at once, 30 messages a minute, 10,000
 * recipients a day). Only app-only OAuth credentials exist for Graph: an identity's
 * {@code auth = login/plain} or {@code rewrite-to} is a problem.
 *
 * <p>{@code save-to-sent-items = false} is a problem, not a setting: Graph's MIME form of
 * {@code sendMail} takes the message alone (no {@code saveToSentItems} parameter, which exists only in
 * the JSON form) and always keeps a copy in the mailbox's Sent Items, so a {@code false} would do
 * nothing. {@code true} is accepted as what happens anyway.
 *
 * <p>Not thread-safe (records into the load's problems); one per load.
 */
final class GraphBinder {

  /** The keys of a graph connector besides the common ones, so other types can call them foreign. */
  static final List<String> KEYS = List.of("graph-url", "save-to-sent-items", "https-proxy");

  /** The keys graph shares with smtp-auth (bound here too, so they are not foreign for graph). */
  static final List<String> SHARED_KEYS = List.of("ca-file", "connect-timeout", "read-timeout", "oauth", "identities",
      "pacing");

  private final Path home;
  private final SmtpAuthBinder smtpAuth;

  GraphBinder(Path home, SmtpAuthBinder smtpAuth) {
    this.home = home;
    this.smtpAuth = smtpAuth;
  }

  /** The connector, or empty when a key had a problem (recorded). */
  Optional<OutboundConnector> bind(Section s, String name) {
    int before = s.problems().count();
    URI graphUrl = s.text("graph-url").flatMap(text -> graphUrl(s, text)).orElse(OutboundConnector.Graph.MICROSOFT_GRAPH);
    Path caFile = s.text("ca-file").map(home::resolve).orElse(null);
    Duration connect = s.duration("connect-timeout").orElse(Duration.ofSeconds(30));
    Duration read = s.duration("read-timeout").orElse(Duration.ofMinutes(2));
    s.flag("save-to-sent-items").filter(save -> !save).ifPresent(save -> s.problem("save-to-sent-items",
        "Graph's MIME form of sendMail always saves a copy in the mailbox's Sent Items; it takes no "
            + "saveToSentItems parameter, so 'false' cannot be honoured",
        "remove the key (true is what Graph does), or clean Sent Items with a retention policy in Exchange Online"));
    UpstreamHost proxy = s.text("https-proxy").flatMap(text -> proxy(s, text)).orElse(null);
    s.foreign("auth", "type = graph always uses app-only OAuth tokens: remove 'auth'");
    s.foreign("password", "type = graph has no password sign-in: use oauth { ... } with Mail.Send");
    Optional<SubmissionCredential> credential = smtpAuth.credential(s, SmtpAuthBinder.Auth.XOAUTH2, true, true,
        OutboundConnector.Graph.GRAPH_SCOPE);
    List<SenderIdentity> identities =
        smtpAuth.identities(s, SmtpAuthBinder.Auth.XOAUTH2, OutboundConnector.Graph.GRAPH_SCOPE);
    for (SenderIdentity id : identities) {
      if (id.credential() != null && !(id.credential() instanceof SubmissionCredential.OAuth)) {
        s.problem("identities", "identity for '" + id.sender() + "' uses a password: type = graph takes only oauth",
            "give the identity an oauth { ... } block, or none to use the connector's");
      }
      if (id.rewriteTo() != null) {
        s.problem("identities", "identity for '" + id.sender() + "' sets rewrite-to, which type = graph does not "
            + "support (Graph sends as the mailbox)", "remove rewrite-to");
      }
    }
    Optional<Pacing> pacing = s.section("pacing").map(p -> smtpAuth.pacing(p, Pacing.MICROSOFT_GRAPH))
        .orElse(Optional.of(Pacing.MICROSOFT_GRAPH));
    if (s.problems().count() > before || credential.isEmpty() || pacing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OutboundConnector.Graph(name, graphUrl, caFile, connect, read,
        (SubmissionCredential.OAuth) credential.get(), new SenderIdentities(identities), pacing.get(), proxy));
  }

  /** {@code host:port} or {@code http://host:port}: a proxy that takes {@code CONNECT} over plain HTTP. */
  private static Optional<UpstreamHost> proxy(Section s, String text) {
    String rest = text.regionMatches(true, 0, "http://", 0, 7) ? text.substring(7) : text;
    rest = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    int colon = rest.lastIndexOf(':');
    if (colon > 0 && !rest.contains("@") && !rest.contains("/")) {
      try {
        int port = Integer.parseInt(rest.substring(colon + 1));
        String host = rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        if (port >= 1 && port <= 65535 && !host.isBlank()) {
          return Optional.of(new UpstreamHost(host, port));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    // A user:password@ form is refused without echoing it: the password must not reach a log.
    String shown = text.contains("@") ? "a value with user information" : "'" + text + "'";
    s.problem("https-proxy", shown + " is not host:port of an HTTP proxy",
        "e.g. https-proxy = \"proxy.contoso.com:3128\" (no user name or password: proxy sign-in is not supported)");
    return Optional.empty();
  }

  private static Optional<URI> graphUrl(Section s, String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && uri.getQuery() == null
          && uri.getFragment() == null && (uri.getPath() == null || uri.getPath().isEmpty())) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below, like any other unusable URL
    }
    s.problem("graph-url", "'" + text + "' is not an https URL without a path",
        "e.g. https://graph.microsoft.us for US Government (L4)");
    return Optional.empty();
  }
}
