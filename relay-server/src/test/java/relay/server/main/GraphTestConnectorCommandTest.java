package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.server.testing.ConnectProxy;
import relay.server.testing.FakeGraph;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/**
 * {@code relay test-connector} for a {@code graph} connector, against the fake Entra ID token
 * endpoint and the fake Graph over HTTPS on loopback: token, the token's Mail.Send role, a dry
 * request that sends nothing, and {@code --send}.
 */
class GraphTestConnectorCommandTest {

  private static final String CLIENT_ID = "5d2e1f00-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "relay~graph-secret.that_never-leaks";
  private static final String MAILBOX = "relay@contoso.com";

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private FakeTokenEndpoint endpoint;
  private FakeGraph graph;
  private TestPki pki;

  @BeforeEach
  void start() throws Exception {
    pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(InstantSource.system());
    endpoint.registerSecret(CLIENT_ID, SECRET);
    endpoint.acceptScope(FakeGraph.SCOPE);
    graph = new FakeGraph(pki.serverContext("localhost"), endpoint, InstantSource.system(), 5, Duration.ofSeconds(1));
    graph.mailbox(MAILBOX, "scanner@contoso.com");
  }

  @AfterEach
  void stop() {
    graph.close();
    endpoint.close();
  }

  private Path config(String extra) throws Exception {
    Path secret = Files.writeString(dir.resolve("graph-secret"), SECRET);
    return Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "printers", client-networks = ["10.1.2.0/24"] }]
          }]
          outbound-connectors = [{
            name = "graph", type = graph, graph-url = "%s", ca-file = "%s", recipient-domains = ["*"]
            oauth { authority = "%s", tenant = "%s", client-id = "%s", client-secret = "file:%s", ca-file = "%s" }
            identities = [ { sender = "*@contoso.com", mailbox = "%s" } ]
            %s
          }]
        }
        """.formatted(dir.resolve("home"), graph.url(), pki.writeCaPem(dir), endpoint.authority(),
        FakeTokenEndpoint.TENANT, CLIENT_ID, secret, endpoint.writeTrustPem(dir), MAILBOX, extra));
  }

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(), args);
  }

  @Test
  void aHealthyConnectorPassesItsDryRequestAndSendsNothing() throws Exception {
    graph.grantMailSend(CLIENT_ID);

    int exit = relay("test-connector", "graph", "--config", config("").toString(), "--from", "scanner@contoso.com");

    assertThat(exit).as(out.toString() + err).isZero();
    assertThat(out.toString())
        .startsWith("connector graph (graph)")
        .containsPattern("\\[PASS\\] identity +<scanner@contoso.com> is sent as mailbox relay@contoso.com")
        .containsPattern("\\[PASS\\] token +app-only token for tenant contoso.onmicrosoft.com, client " + CLIENT_ID)
        .containsPattern("\\[PASS\\] permission +the token carries the application permission Mail.Send")
        .containsPattern("\\[PASS\\] dry request +.*ErrorMimeContentInvalidBase64String.*nothing was sent")
        .contains("use --send to send a test message")
        .endsWith("result: pass\n")
        .doesNotContain(SECRET)
        .doesNotContain(endpoint.issued().getFirst());
    assertThat(graph.requests.get()).isEqualTo(1);
    assertThat(graph.sent).isEmpty();
  }

  @Test
  void aTokenWithoutMailSendFailsBeforeAnyGraphRequest() throws Exception {
    int exit = relay("test-connector", "graph", "--config", config("").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString())
        .containsPattern("\\[FAIL\\] permission +the token carries no Mail.Send application permission \\(roles: none\\)")
        .contains("grant admin consent")
        .endsWith("result: FAIL\n");
    assertThat(graph.requests.get()).isZero();
  }

  @Test
  void anApplicationAccessPolicyThatExcludesTheMailboxFailsTheDryRequestWithWhatGraphSaid() throws Exception {
    graph.grantMailSend(CLIENT_ID);
    graph.answerNext(403, "ErrorAccessDenied", "Access to OData is disabled: application access policy.", null);

    int exit = relay("test-connector", "graph", "--config", config("").toString(), "--json");

    assertThat(exit).isEqualTo(2);
    JsonNode report = new ObjectMapper().readTree(out.toString());
    JsonNode dry = report.path("steps").get(report.path("steps").size() - 1);
    assertThat(dry.path("step").asText()).isEqualTo("dry request");
    assertThat(dry.path("verdict").asText()).isEqualTo("fail");
    assertThat(dry.path("detail").asText()).contains("Graph HTTP 403 ErrorAccessDenied: Access to OData is disabled");
    assertThat(dry.path("hint").asText()).contains("Test-ApplicationAccessPolicy", MAILBOX);
  }

  @Test
  void sendDeliversOneTestMessageThroughGraph() throws Exception {
    graph.grantMailSend(CLIENT_ID);

    int exit = relay("test-connector", "graph", "--config", config("").toString(),
        "--from", "scanner@contoso.com", "--to", "boss@fabrikam.com", "--send");

    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).containsPattern("\\[PASS\\] message +Graph accepted the test message to <boss@fabrikam.com>");
    assertThat(graph.sent).singleElement().satisfies(s -> {
      assertThat(s.mailbox()).isEqualTo(MAILBOX);
      assertThat(new String(s.mime(), java.nio.charset.StandardCharsets.US_ASCII))
          .contains("From: scanner@contoso.com", "To: boss@fabrikam.com", "Subject: Relay connector test");
    });
  }

  @Test
  void throughAnHttpsProxyBothEndpointsAreTunnelled() throws Exception {
    graph.grantMailSend(CLIENT_ID);
    try (ConnectProxy proxy = new ConnectProxy()) {
      int exit = relay("test-connector", "graph", "--config",
          config("https-proxy = \"127.0.0.1:" + proxy.port() + "\"").toString());

      assertThat(exit).as(out.toString()).isZero();
      assertThat(out.toString()).containsPattern("\\[PASS\\] proxy +Graph and the token endpoint are reached through 127.0.0.1:");
      assertThat(proxy.tunnels).containsExactlyInAnyOrder("localhost:" + graph.url().getPort(),
          "127.0.0.1:" + endpoint.authority().getPort());
    }
  }
}
