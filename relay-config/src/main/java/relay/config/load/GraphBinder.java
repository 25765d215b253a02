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

/**
 * Binds the keys of a {@code graph} connector (Microsoft Graph {@code sendMail}) into an
 * {@link OutboundConnector.Graph}: the same {@code oauth} block and {@code identities} as
 * {@code smtp-auth} (bound by {@link SmtpAuthBinder}, with Graph's scope as the default), the
 * {@code graph-url}, the trust of the Graph endpoint ({@code ca-file}), timeouts,
 * {@code save-to-sent-items} and the per-mailbox {@code pacing} (Graph's defaults: 4 requests at
 * once, 30 messages a minute, 10,000 recipients a day). Only app-only OAuth credentials exist for
 * Graph: an identity's {@code auth = login/plain} or {@code rewrite-to} is a problem.
 *
 * <p>Not thread-safe (records into the load's problems); one per load.
 */
final class GraphBinder {

  /** The keys of a graph connector besides the common ones, so other types can call them foreign. */
  static final List<String> KEYS = List.of("graph-url", "save-to-sent-items");

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
    boolean saveToSent = s.flag("save-to-sent-items").orElse(false);
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
        (SubmissionCredential.OAuth) credential.get(), new SenderIdentities(identities), pacing.get(), saveToSent));
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
