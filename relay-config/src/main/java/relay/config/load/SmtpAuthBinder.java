package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;

/**
 * Binds the keys of an {@code smtp-auth} connector (Microsoft 365 client submission) into an
 * {@link OutboundConnector.SmtpAuth}: the submission server, the default credential
 * ({@code auth = xoauth2} with an {@code oauth { ... }} block, or {@code login}/{@code plain} with a
 * {@code password}), the sender {@code identities} (each may override the credential) and the
 * per-mailbox {@code pacing}. Every secret is a reference read through the load's
 * {@link SecretReader}; a value written in the file is refused and never echoed.
 *
 * <p>Not thread-safe (records into the load's problems); one per load.
 */
final class SmtpAuthBinder {

  /** The keys of an smtp-auth connector besides the common ones, so other types can call them foreign. */
  static final List<String> KEYS = List.of("host", "port", "ca-file", "helo", "connect-timeout", "read-timeout", "auth",
      "oauth", "password", "identities", "pacing");

  /** The SASL mechanisms a file may name. */
  enum Auth { XOAUTH2, LOGIN, PLAIN }

  private final Path home;
  private final String hostname;
  private final SecretReader secrets;

  SmtpAuthBinder(Path home, String hostname, SecretReader secrets) {
    this.home = home;
    this.hostname = hostname;
    this.secrets = secrets;
  }

  /** The connector, or empty when a key had a problem (recorded). */
  Optional<OutboundConnector> bind(Section s, String name) {
    int before = s.problems().count();
    String host = s.text("host").orElse(OutboundConnector.SmtpAuth.OFFICE_365.host());
    int port = s.port("port").orElse(OutboundConnector.SmtpAuth.OFFICE_365.port());
    Optional<UpstreamHost> upstream = OutboundBinder.host(host, port);
    if (upstream.isEmpty()) {
      s.problem("host", "'" + host + "' is not a host", "a host name or IP address, e.g. smtp.office365.com");
    }
    Path caFile = s.text("ca-file").map(home::resolve).orElse(null);
    String helo = s.text("helo").orElse(hostname);
    Duration connect = s.duration("connect-timeout").orElse(Duration.ofSeconds(30));
    Duration read = s.duration("read-timeout").orElse(Duration.ofMinutes(5));
    s.foreign("username", "the login name is each identity's mailbox: set mailbox in identities");
    Auth auth = s.choice("auth", Auth.class).orElse(Auth.XOAUTH2);
    Optional<SubmissionCredential> credential = credential(s, auth, true, true, SubmissionCredential.OAuth.OUTLOOK_SCOPE);
    List<SenderIdentity> identities = identities(s, auth, SubmissionCredential.OAuth.OUTLOOK_SCOPE);
    Optional<Pacing> pacing =
        s.section("pacing").map(p -> pacing(p, Pacing.MICROSOFT_365)).orElse(Optional.of(Pacing.MICROSOFT_365));
    if (s.problems().count() > before || credential.isEmpty() || pacing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OutboundConnector.SmtpAuth(name, upstream.orElseThrow(), caFile, helo, connect, read,
        credential.get(), new SenderIdentities(identities), pacing.get()));
  }

  /**
   * The credential the keys of {@code s} describe: {@code oauth} for XOAUTH2, {@code password} for
   * LOGIN/PLAIN; the other key is a problem. {@code required}: a missing credential is a problem
   * (the connector's default), else it means "no override" (an identity's). {@code connectorLevel}:
   * the connector's own credential, the only one that may set the token endpoint's {@code ca-file}.
   */
  Optional<SubmissionCredential> credential(Section s, Auth auth, boolean required, boolean connectorLevel,
      String defaultScope) {
    boolean hasOAuth = s.value("oauth").isPresent();
    boolean hasPassword = s.value("password").isPresent();
    return switch (auth) {
      case XOAUTH2 -> {
        if (hasPassword) {
          s.problem("password", "is only for auth = login or plain; XOAUTH2 uses oauth { ... }",
              "remove 'password', or set auth = login");
        }
        if (!hasOAuth) {
          if (required) {
            s.problem("oauth", "is required for auth = xoauth2",
                "oauth { tenant = \"...\", client-id = \"...\", client-secret = \"env:M365_CLIENT_SECRET\" }");
          }
          yield Optional.empty();
        }
        yield s.section("oauth").flatMap(o -> oauth(o, connectorLevel, defaultScope));
      }
      case LOGIN, PLAIN -> {
        if (hasOAuth) {
          s.problem("oauth", "is only for auth = xoauth2", "remove 'oauth', or set auth = xoauth2");
        }
        if (!hasPassword) {
          if (required) {
            s.problem("password", "is required for auth = " + word(auth), "e.g. password = \"env:M365_PASSWORD\"");
          }
          yield Optional.empty();
        }
        SubmissionCredential.Mechanism mechanism =
            auth == Auth.LOGIN ? SubmissionCredential.Mechanism.LOGIN : SubmissionCredential.Mechanism.PLAIN;
        yield secrets.read(s, "password").map(p -> new SubmissionCredential.Password(mechanism, p));
      }
    };
  }

  private Optional<SubmissionCredential> oauth(Section o, boolean connectorLevel, String defaultScope) {
    int before = o.problems().count();
    Path caFile = null;
    if (connectorLevel) {
      caFile = o.text("ca-file").map(home::resolve).orElse(null);
    } else {
      // One token client per connector: its trust cannot differ between identities.
      o.foreign("ca-file", "the token endpoint's trust is per connector: set ca-file in the connector's oauth block");
    }
    o.require("tenant", "client-id");
    URI authority = o.text("authority").flatMap(text -> authority(o, text)).orElse(SubmissionCredential.OAuth.MICROSOFT);
    Optional<String> tenant = o.text("tenant");
    Optional<String> clientId = o.text("client-id");
    String scope = o.text("scope").orElse(defaultScope);
    Optional<Secret> secret = secrets.read(o, "client-secret");
    Optional<Section> certificate = o.section("client-certificate");
    Path certificateFile = null;
    Path keyFile = null;
    if (certificate.isPresent()) {
      Section c = certificate.get();
      c.require("certificate", "key");
      certificateFile = c.text("certificate").map(home::resolve).orElse(null);
      keyFile = c.text("key").map(home::resolve).orElse(null);
      c.foreign("key-password", "the app's certificate key must not be encrypted (PKCS#8 or PKCS#1 PEM)");
      c.finish();
    }
    boolean secretGiven = o.value("client-secret").isPresent();
    if (secretGiven == certificate.isPresent()) {
      o.problem(secretGiven ? "client-certificate" : "client-secret",
          secretGiven ? "and client-secret are both set: choose one credential" : "or client-certificate is required",
          "client-secret = \"env:M365_CLIENT_SECRET\", or client-certificate { certificate = \"app.crt\", key = \"app.key\" }");
    }
    o.finish();
    if (o.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new SubmissionCredential.OAuth(authority, tenant.orElseThrow(), clientId.orElseThrow(), scope,
        secret.orElse(null), certificateFile, keyFile, caFile));
  }

  private static Optional<URI> authority(Section o, String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && uri.getQuery() == null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below, like any other unusable authority
    }
    o.problem("authority", "'" + text + "' is not an https URL", "e.g. https://login.microsoftonline.us for US Government");
    return Optional.empty();
  }

  List<SenderIdentity> identities(Section s, Auth connectorAuth, String defaultScope) {
    List<SenderIdentity> out = new ArrayList<>();
    List<ConfigValue> values = s.list("identities").orElse(List.of());
    if (s.value("identities").isPresent() && values.isEmpty()) {
      s.problem("identities", "must name at least one identity, or be left out",
          "e.g. [ { sender = \"*@contoso.com\", mailbox = \"relay@contoso.com\" } ]");
    }
    if (s.value("identities").isEmpty()) {
      s.problem("identities", "is required: it says which mailbox submits which sender",
          "e.g. identities = [ { sender = \"*\", mailbox = \"relay@contoso.com\" } ]");
    }
    for (int i = 0; i < values.size(); i++) {
      String at = s.pathOf("identities") + "[" + i + "]";
      Section.of(values.get(i), at, s.problems()).flatMap(e -> identity(e, connectorAuth, defaultScope)).ifPresent(out::add);
    }
    return out;
  }

  private Optional<SenderIdentity> identity(Section e, Auth connectorAuth, String defaultScope) {
    int before = e.problems().count();
    e.require("sender", "mailbox");
    Optional<String> sender = e.text("sender");
    sender.filter(p -> !validSender(p)).ifPresent(p -> e.problem("sender", "'" + p + "' is not a sender pattern",
        "an address (scanner@contoso.com), a domain (*@contoso.com), <> for Relay's own notifications or * for every other sender"));
    Optional<String> mailbox = e.text("mailbox");
    mailbox.filter(m -> !validAddress(m)).ifPresent(m -> e.problem("mailbox", "'" + m + "' is not a mailbox address",
        "e.g. relay@contoso.com"));
    Optional<String> rewrite = e.text("rewrite-to");
    rewrite.filter(r -> !validAddress(r)).ifPresent(r -> e.problem("rewrite-to", "'" + r + "' is not an address",
        "e.g. scanner@contoso.com"));
    Auth auth = e.choice("auth", Auth.class).orElse(connectorAuth);
    Optional<SubmissionCredential> override = credential(e, auth, e.value("auth").isPresent(), false, defaultScope);
    e.finish();
    if (e.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new SenderIdentity(sender.orElseThrow(), mailbox.orElseThrow(), rewrite.orElse(null),
        override.orElse(null)));
  }

  Optional<Pacing> pacing(Section p, Pacing d) {
    int before = p.problems().count();
    int sessions = p.integer("max-sessions", 1, 100).orElse(d.maxSessions());
    int perMinute = p.integer("messages-per-minute", 1, 1_000_000).orElse(d.messagesPerWindow());
    // The window is a minute in Microsoft's terms; shorter ones let tests and benchmarks run quickly.
    Duration messageWindow = p.duration("message-window").orElse(d.messageWindow());
    int perDay = p.integer("recipients-per-day", 1, 100_000_000).orElse(d.recipientsPerWindow());
    int perMessage = p.integer("recipients-per-message", 1, 100_000).orElse(d.recipientsPerMessage());
    Duration pause = p.duration("throttle-pause").orElse(d.throttlePause());
    Duration maxWait = p.duration("max-wait").orElse(d.maxWait());
    p.finish();
    if (p.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new Pacing(sessions, perMinute, messageWindow, perDay, d.recipientWindow(), perMessage,
        pause, maxWait));
  }

  private static boolean validSender(String pattern) {
    return pattern.equals(SenderIdentity.ANY) || pattern.equals(SenderIdentity.NULL_SENDER)
        || (pattern.startsWith("*@") && pattern.length() > 2 && !pattern.substring(2).contains("*")
            && !pattern.substring(2).contains("@"))
        || (!pattern.contains("*") && validAddress(pattern));
  }

  private static boolean validAddress(String address) {
    int at = address.lastIndexOf('@');
    return at > 0 && at < address.length() - 1 && address.indexOf('@') == at && !address.contains("*")
        && address.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>');
  }

  private static String word(Auth auth) {
    return auth.name().toLowerCase(java.util.Locale.ROOT);
  }
}
