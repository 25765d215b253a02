package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/** {@code relay test-connector NAME} through the command line: text, JSON and exit statuses. */
class TestConnectorCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private TestUpstream upstream;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    upstream = TestUpstream.withStartTls(pki.serverContext("localhost", Duration.ofDays(365)));
    Path secret = Files.writeString(dir.resolve("graph-secret"), "graph-secret-value");
    config = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "printers", client-networks = ["10.1.2.0/24"] }]
          }]
          accepted-domains = [{ domain = "contoso.com" }]
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = verify, ca-file = "%s",
              recipient-domains = ["*"] }
            { name = "clear", type = smart-host, hosts = ["localhost:%d"], tls = none, rule-scoped = true }
            { name = "graph", type = graph, rule-scoped = true, identities = [ { sender = "*", mailbox = "relay@contoso.com" } ]
              oauth { tenant = "contoso.onmicrosoft.com", client-id = "app-1", client-secret = "file:%s" } }
          ]
        }
        """.formatted(dir.resolve("home"), upstream.port(), pki.writeCaPem(dir), upstream.port(), secret));
  }

  @AfterEach
  void stop() {
    upstream.close();
  }

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(), args);
  }

  @Test
  void aHealthyConnectorPassesWithExitZeroAndSendsNothing() {
    int exit = relay("test-connector", "upstream", "--config", config.toString(),
        "--from", "scanner@contoso.com", "--to", "boss@fabrikam.com");

    assertThat(exit).as(out.toString() + err).isZero();
    assertThat(out.toString())
        .startsWith("connector upstream (smart-host)")
        .contains("[PASS] STARTTLS")
        .contains("verified against localhost")
        .contains("[PASS] RSET")
        .contains("(use --send to send a test message)")
        .endsWith("result: pass\n");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void sendWithJsonReportsEachStepAndDeliversOneMessage() throws Exception {
    int exit = relay("test-connector", "upstream", "--config", config.toString(),
        "--from", "scanner@contoso.com", "--to", "boss@fabrikam.com", "--send", "--json");

    assertThat(exit).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.path("connector").asText()).isEqualTo("upstream");
    assertThat(report.path("verdict").asText()).isEqualTo("pass");
    assertThat(report.path("exitStatus").asInt()).isZero();
    assertThat(report.path("steps").findValuesAsText("step")).contains("certificate", "DATA", "message");
    assertThat(upstream.messages).hasSize(1);
  }

  @Test
  void plaintextConnectorWarnsWithExitOne() {
    int exit = relay("test-connector", "clear", "--config", config.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).contains("[WARN] STARTTLS").contains("fix:").endsWith("result: pass with warnings\n");
  }

  @Test
  void aRefusedRecipientFailsWithExitTwoAndTheTenantAttributionHint() {
    upstream.refuse.put("boss@fabrikam.com",
        new RejectException(550, "5.7.64 TenantAttribution; Relay Access Denied [SN1NAM02FT0001.eop-nam02.prod.protection.outlook.com]"));

    int exit = relay("test-connector", "upstream", "--config", config.toString(),
        "--from", "scanner@contoso.com", "--to", "boss@fabrikam.com");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString())
        .contains("[FAIL] RCPT TO")
        .contains("reply: 550 5.7.64 TenantAttribution")
        .contains("no inbound connector in the tenant matches the relay's IP address or certificate")
        .endsWith("result: FAIL\n");
  }

  @Test
  void anUnknownConnectorIsAnErrorWithExitTwo() {
    assertThat(relay("test-connector", "nope", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no outbound connector is named 'nope'");
  }
}
