package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.MailPath;

/** The keys of an smtp-auth connector: host, auth, oauth, password, identities, pacing; every mistake at its line. */
class SmtpAuthBindingTest {

  private static final Map<String, String> ENV = Map.of("M365_CLIENT_SECRET", "s3cr3t-value", "M365_PASSWORD", "hunter2-value");
  private static final String OAUTH = "oauth { tenant = \"contoso.onmicrosoft.com\", client-id = \"app-1\", "
      + "client-secret = \"env:M365_CLIENT_SECRET\" }";
  private static final String ANYONE = "identities = [ { sender = \"*\", mailbox = \"relay@contoso.com\" } ]";

  @TempDir Path dir;

  /** The connector object opens on line 9 of the file; the keys given here start on line 10. */
  private static String connector(String keys) {
    return """
        relay.outbound-connectors = [
          { name = "m365", type = smtp-auth
            %s
            recipient-domains = ["*"] }
        ]
        """.formatted(keys);
  }

  private OutboundConnector.SmtpAuth bound(String keys) throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(connector(keys), ENV);
    return (OutboundConnector.SmtpAuth) config.outboundConnectors().getFirst();
  }

  private List<String> problems(String keys) throws Exception {
    return new RoutingFiles(dir).problems(connector(keys), ENV);
  }

  @Test
  void omittedKeysMeanOffice365SubmissionWithXoauth2AndMicrosoftLimits() throws Exception {
    OutboundConnector.SmtpAuth c = bound(OAUTH + "\n" + ANYONE);

    assertThat(c.host()).isEqualTo(new UpstreamHost("smtp.office365.com", 587));
    assertThat(c.caBundle()).isNull();
    assertThat(c.pacing()).isEqualTo(Pacing.MICROSOFT_365);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.credential()).isEqualTo(new SubmissionCredential.OAuth(SubmissionCredential.OAuth.MICROSOFT,
        "contoso.onmicrosoft.com", "app-1", SubmissionCredential.OAuth.OUTLOOK_SCOPE,
        new Secret("env:M365_CLIENT_SECRET", "s3cr3t-value"), null, null));
    assertThat(c.identities().forSender(MailPath.NULL).orElseThrow().mailbox()).isEqualTo("relay@contoso.com");
  }

  @Test
  void everyKeyIsBound() throws Exception {
    OutboundConnector.SmtpAuth c = bound("""
        host = "submit.test", port = 2587, ca-file = "tls/ca.pem", helo = "relay.test"
        connect-timeout = 5s, read-timeout = 20s
        oauth { authority = "https://login.test/", tenant = "t1", client-id = "c1", scope = "api://x/.default"
                ca-file = "tls/login-ca.pem"
                client-certificate { certificate = "app.crt", key = "app.key" } }
        identities = [
          { sender = "scanner@localhost", mailbox = "scan@contoso.com", rewrite-to = "scan@contoso.com" }
          { sender = "*@contoso.com", mailbox = "relay@contoso.com", auth = login, password = "env:M365_PASSWORD" }
        ]
        pacing { max-sessions = 2, messages-per-minute = 5, recipients-per-day = 100, recipients-per-message = 10
                 message-window = 10s, throttle-pause = 30s, max-wait = 10s }
        """);

    Path home = c.caBundle().getParent().getParent();
    assertThat(c.host()).isEqualTo(new UpstreamHost("submit.test", 2587));
    assertThat(c.caBundle()).isEqualTo(home.resolve("tls/ca.pem"));
    assertThat(c.heloName()).isEqualTo("relay.test");
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.credential()).isEqualTo(new SubmissionCredential.OAuth(URI.create("https://login.test"), "t1", "c1",
        "api://x/.default", null, home.resolve("app.crt"), home.resolve("app.key"), home.resolve("tls/login-ca.pem")));
    assertThat(c.identities().entries()).containsExactly(
        new SenderIdentity("scanner@localhost", "scan@contoso.com", "scan@contoso.com", null),
        new SenderIdentity("*@contoso.com", "relay@contoso.com", null, new SubmissionCredential.Password(
            SubmissionCredential.Mechanism.LOGIN, new Secret("env:M365_PASSWORD", "hunter2-value"))));
    assertThat(c.pacing()).isEqualTo(new Pacing(2, 5, Duration.ofSeconds(10), 100, Duration.ofHours(24), 10,
        Duration.ofSeconds(30), Duration.ofSeconds(10)));
  }

  @Test
  void plainAuthTakesThePasswordReference() throws Exception {
    OutboundConnector.SmtpAuth c = bound("auth = plain, password = \"env:M365_PASSWORD\"\n" + ANYONE);

    assertThat(c.credential()).isEqualTo(new SubmissionCredential.Password(
        SubmissionCredential.Mechanism.PLAIN, new Secret("env:M365_PASSWORD", "hunter2-value")));
  }

  @Test
  void literalSecretIsRefusedWithoutShowingIt() throws Exception {
    List<String> problems = problems(
        "oauth { tenant = \"t\", client-id = \"c\", client-secret = \"Xy7~literal.secret\" }\n" + ANYONE);

    assertThat(problems).containsExactly("relay.conf:10: relay.outbound-connectors[0].oauth.client-secret: "
        + "a secret written in the file is not allowed (write env:NAME or file:/path, or set relay.allow-literal-secrets = true)");
    assertThat(String.join("\n", problems)).doesNotContain("Xy7~literal.secret");
  }

  @Test
  void xoauth2WithoutTenantOrClientIdIsAProblemAtTheOauthBlock() throws Exception {
    assertThat(problems("oauth { client-secret = \"env:M365_CLIENT_SECRET\" }\n" + ANYONE)).containsExactly(
        "relay.conf:10: relay.outbound-connectors[0].oauth.client-id: is required but missing",
        "relay.conf:10: relay.outbound-connectors[0].oauth.tenant: is required but missing");
  }

  @Test
  void bothOrNeitherOauthCredentialIsAProblem() throws Exception {
    assertThat(problems("oauth { tenant = \"t\", client-id = \"c\" }\n" + ANYONE)).singleElement().asString()
        .startsWith("relay.conf:10: relay.outbound-connectors[0].oauth.client-secret: or client-certificate is required");
    assertThat(problems("""
        oauth { tenant = "t", client-id = "c", client-secret = "env:M365_CLIENT_SECRET"
                client-certificate { certificate = "a.crt", key = "a.key" } }
        """ + ANYONE)).singleElement().asString()
        .startsWith("relay.conf:11: relay.outbound-connectors[0].oauth.client-certificate: and client-secret are both set");
  }

  @Test
  void missingOrMismatchedCredentialIsNamed() throws Exception {
    assertThat(problems(ANYONE)).singleElement().asString()
        .startsWith("relay.conf:9: relay.outbound-connectors[0].oauth: is required for auth = xoauth2");
    assertThat(problems("auth = login\n" + ANYONE)).singleElement().asString()
        .startsWith("relay.conf:9: relay.outbound-connectors[0].password: is required for auth = login");
    assertThat(problems(OAUTH + ", password = \"env:M365_PASSWORD\"\n" + ANYONE)).singleElement().asString()
        .startsWith("relay.conf:10: relay.outbound-connectors[0].password: is only for auth = login or plain");
  }

  @Test
  void badIdentityPatternsAndAddressesAreProblemsAtTheirLines() throws Exception {
    assertThat(problems(OAUTH + """

        identities = [
          { sender = "scan*@contoso.com", mailbox = "relay@contoso.com" }
          { sender = "*@", mailbox = "relay" }
          { sender = "a@b.com", mailbox = "relay@contoso.com", rewrite-to = "nobody" }
          { mailbox = "relay@contoso.com" }
        ]
        """)).containsExactly(
        "relay.conf:12: relay.outbound-connectors[0].identities[0].sender: 'scan*@contoso.com' is not a sender pattern"
            + " (an address (scanner@contoso.com), a domain (*@contoso.com), <> for Relay's own notifications or * for every other sender)",
        "relay.conf:13: relay.outbound-connectors[0].identities[1].mailbox: 'relay' is not a mailbox address (e.g. relay@contoso.com)",
        "relay.conf:13: relay.outbound-connectors[0].identities[1].sender: '*@' is not a sender pattern"
            + " (an address (scanner@contoso.com), a domain (*@contoso.com), <> for Relay's own notifications or * for every other sender)",
        "relay.conf:14: relay.outbound-connectors[0].identities[2].rewrite-to: 'nobody' is not an address (e.g. scanner@contoso.com)",
        "relay.conf:15: relay.outbound-connectors[0].identities[3].sender: is required but missing");
  }

  @Test
  void identitiesAreRequiredAndPacingIsRangeChecked() throws Exception {
    assertThat(problems(OAUTH)).singleElement().asString()
        .startsWith("relay.conf:9: relay.outbound-connectors[0].identities: is required");
    assertThat(problems(OAUTH + "\n" + ANYONE + "\npacing { max-sessions = 0, message-per-minute = 3 }")).containsExactly(
        "relay.conf:12: relay.outbound-connectors[0].pacing.max-sessions: 0 is out of range (1..100)",
        "relay.conf:12: relay.outbound-connectors[0].pacing.message-per-minute: unknown key (did you mean 'messages-per-minute'?)");
  }

  @Test
  void tokenEndpointTrustIsSetOnlyInTheConnectorsOwnOauthBlock() throws Exception {
    assertThat(problems(OAUTH + """

        identities = [ { sender = "*", mailbox = "relay@contoso.com"
          oauth { tenant = "t2", client-id = "c2", client-secret = "env:M365_CLIENT_SECRET", ca-file = "ca.pem" } } ]
        """)).singleElement().asString()
        .contains("identities[0].oauth.ca-file").contains("per connector");
  }

  @Test
  void smartHostKeysAreForeignAndUsernameIsExplained() throws Exception {
    assertThat(problems(OAUTH + "\n" + ANYONE + "\ntls = none, username = \"relay@contoso.com\"")).containsExactly(
        "relay.conf:12: relay.outbound-connectors[0].tls: unknown key"
            + " ('tls' is only for type = smart-host (smtp-auth always verifies TLS 1.2+ with STARTTLS))",
        "relay.conf:12: relay.outbound-connectors[0].username: unknown key"
            + " (the login name is each identity's mailbox: set mailbox in identities)");
  }
}
