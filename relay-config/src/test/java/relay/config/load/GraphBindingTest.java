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
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.MailPath;

/** The keys of a graph connector: graph-url, ca-file, oauth, identities, pacing, save-to-sent-items. */
class GraphBindingTest {

  private static final Map<String, String> ENV = Map.of("M365_CLIENT_SECRET", "s3cr3t-value");
  private static final String OAUTH = "oauth { tenant = \"contoso.onmicrosoft.com\", client-id = \"app-1\", "
      + "client-secret = \"env:M365_CLIENT_SECRET\" }";
  private static final String ANYONE = "identities = [ { sender = \"*\", mailbox = \"relay@contoso.com\" } ]";

  @TempDir Path dir;

  /** The connector object opens on line 9 of the file; the keys given here start on line 10. */
  private static String connector(String keys) {
    return """
        relay.outbound-connectors = [
          { name = "graph", type = graph
            %s
            recipient-domains = ["*"] }
        ]
        """.formatted(keys);
  }

  private OutboundConnector.Graph bound(String keys) throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(connector(keys), ENV);
    return (OutboundConnector.Graph) config.outboundConnectors().getFirst();
  }

  private List<String> problems(String keys) throws Exception {
    return new RoutingFiles(dir).problems(connector(keys), ENV);
  }

  @Test
  void omittedKeysMeanMicrosoftGraphWithItsScopeAndLimits() throws Exception {
    OutboundConnector.Graph c = bound(OAUTH + "\n" + ANYONE);

    assertThat(c.graphUrl()).isEqualTo(URI.create("https://graph.microsoft.com"));
    assertThat(c.caBundle()).isNull();
    assertThat(c.httpsProxy()).isNull();
    assertThat(c.pacing()).isEqualTo(Pacing.MICROSOFT_GRAPH);
    assertThat(c.pacing().maxSessions()).isEqualTo(4);
    assertThat(c.pacing().messagesPerWindow()).isEqualTo(30);
    assertThat(c.pacing().recipientsPerWindow()).isEqualTo(10_000);
    assertThat(c.credential().scope()).isEqualTo("https://graph.microsoft.com/.default");
    assertThat(c.credential().authority()).isEqualTo(SubmissionCredential.OAuth.MICROSOFT);
    assertThat(c.identities().forSender(MailPath.NULL).orElseThrow().mailbox()).isEqualTo("relay@contoso.com");
  }

  @Test
  void everyKeyIsBound() throws Exception {
    OutboundConnector.Graph c = bound("""
        graph-url = "https://graph.test:8443/", ca-file = "tls/ca.pem", save-to-sent-items = true
        https-proxy = "http://proxy.contoso.com:3128"
        connect-timeout = 5s, read-timeout = 20s
        oauth { tenant = "t1", client-id = "c1", client-secret = "env:M365_CLIENT_SECRET", ca-file = "tls/login.pem" }
        identities = [ { sender = "*@contoso.com", mailbox = "relay@contoso.com" } ]
        pacing { max-sessions = 2, messages-per-minute = 5, message-window = 10s }
        """);

    assertThat(c.graphUrl()).isEqualTo(URI.create("https://graph.test:8443"));
    assertThat(c.caBundle().endsWith(Path.of("tls/ca.pem"))).isTrue();
    assertThat(c.credential().caFile().endsWith(Path.of("tls/login.pem"))).isTrue();
    assertThat(c.httpsProxy()).isEqualTo(new UpstreamHost("proxy.contoso.com", 3128));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.pacing().maxSessions()).isEqualTo(2);
    assertThat(c.pacing().recipientsPerWindow()).isEqualTo(10_000);
  }

  @Test
  void missingIdentitiesAreAProblem() throws Exception {
    assertThat(problems(OAUTH)).singleElement().asString()
        .startsWith("relay.conf:9: relay.outbound-connectors[0].identities: is required");
  }

  @Test
  void graphUrlMustBeHttpsWithoutAPath() throws Exception {
    assertThat(problems(OAUTH + "\n" + ANYONE + "\ngraph-url = \"http://graph.test\"")).singleElement().asString()
        .startsWith("relay.conf:12: relay.outbound-connectors[0].graph-url: 'http://graph.test' is not an https URL");
    assertThat(problems(OAUTH + "\n" + ANYONE + "\ngraph-url = \"https://graph.test/v1.0\"")).singleElement()
        .asString().contains("graph-url", "is not an https URL without a path");
  }

  @Test
  void smtpOnlyKeysAndPasswordsAreRefused() throws Exception {
    assertThat(problems(OAUTH + "\n" + ANYONE + "\nhost = \"smtp.office365.com\"")).singleElement().asString()
        .contains("host", "unknown key", "graph-url");
    assertThat(problems(OAUTH + "\nidentities = [ { sender = \"*\", mailbox = \"r@contoso.com\", rewrite-to = \"x@contoso.com\" } ]"))
        .singleElement().asString().contains("identities", "rewrite-to");
    assertThat(problems("graph-url = \"https://graph.test\"\n" + ANYONE)).singleElement().asString()
        .contains("oauth", "is required");
  }

  @Test
  void saveToSentItemsFalseIsRefusedBecauseTheMimeFormAlwaysSaves() throws Exception {
    assertThat(problems(OAUTH + "\n" + ANYONE + "\nsave-to-sent-items = false")).singleElement().asString()
        .startsWith("relay.conf:12: relay.outbound-connectors[0].save-to-sent-items:")
        .contains("always saves a copy in the mailbox's Sent Items", "'false' cannot be honoured");
  }

  @Test
  void anHttpsProxyIsHostAndPortWithoutCredentials() throws Exception {
    assertThat(bound(OAUTH + "\n" + ANYONE + "\nhttps-proxy = \"10.0.0.8:8080\"").httpsProxy())
        .isEqualTo(new UpstreamHost("10.0.0.8", 8080));
    assertThat(problems(OAUTH + "\n" + ANYONE + "\nhttps-proxy = \"http://user:pw@proxy:3128\"")).singleElement()
        .asString().contains("https-proxy", "is not host:port of an HTTP proxy").doesNotContain("user:pw");
    assertThat(problems(OAUTH + "\n" + ANYONE + "\nhttps-proxy = \"proxy\"")).singleElement().asString()
        .contains("https-proxy", "is not host:port");
  }

  @Test
  void notificationsMayHaveAMailboxOfTheirOwn() throws Exception {
    OutboundConnector.Graph c = bound(OAUTH + """

        identities = [ { sender = "*", mailbox = "relay@contoso.com" }, { sender = "<>", mailbox = "postmaster@contoso.com" } ]
        """);
    assertThat(c.identities().forSender(MailPath.NULL).orElseThrow().mailbox()).isEqualTo("postmaster@contoso.com");
    assertThat(c.identities().forSender(MailPath.parse("a@contoso.com")).orElseThrow().mailbox())
        .isEqualTo("relay@contoso.com");
  }

  @Test
  void graphKeysAreForeignToOtherTypes() throws Exception {
    List<String> problems = new RoutingFiles(dir).problems("""
        relay.outbound-connectors = [ { name = "d", type = drop, save-to-sent-items = true, recipient-domains = ["*"] } ]
        """, ENV);
    assertThat(problems).singleElement().asString().contains("save-to-sent-items", "only for type = graph");
  }
}
