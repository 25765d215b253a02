package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relay test-inbound}: what a device at an address meets, from the configuration alone. */
class TestInboundCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path config;

  @BeforeEach
  void writeConfig() throws Exception {
    config = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [
              { name = "printers", client-networks = ["10.1.2.0/24"], allowed-sender-domains = ["contoso.com"] }
              { name = "secure", client-networks = ["10.3.0.0/16"], require-tls = true, relay = true }
              { name = "apps", client-networks = ["10.4.0.0/16"],
                auth { users = [{ name = "app", password = "env:APP_PASSWORD" }], required = true } }
            ]
          }]
          accepted-domains = [{ domain = "contoso.com" }]
          outbound-connectors = [
            { name = "m365", type = drop, recipient-domains = ["*"] }
          ]
        }
        """.formatted(dir.resolve("home")));
  }

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(Map.of()), args);
  }

  @Test
  void anAllowedClientSendingToAnAcceptedDomainIsAcceptedWithItsRoute() {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.1.2.7", "--helo", "printer",
        "--from", "scanner@contoso.com", "--to", "boss@contoso.com");

    assertThat(exit).as(out + "" + err).isZero();
    assertThat(out.toString())
        .contains("listener lan 127.0.0.1:2525 (STARTTLS, TLSv1.2+): inbound connector printers admits the client")
        .contains("[PASS] TLS: in clear (the connector does not require TLS)")
        .contains("[PASS] MAIL FROM: <scanner@contoso.com> accepted")
        .contains("via m365 from <scanner@contoso.com> to [<boss@contoso.com>]")
        .endsWith("result: accepted\n");
  }

  @Test
  void anUnknownClientIsRefusedWith554() {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "192.0.2.9",
        "--from", "x@contoso.com", "--to", "boss@contoso.com");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString())
        .contains("refuses the connection with 554 5.7.1 Access denied (no inbound connector's client-networks contain 192.0.2.9)")
        .contains("fix: add the device's address")
        .endsWith("result: REFUSED\n");
  }

  @Test
  void relayingOutsideTheAcceptedDomainsIsDenied() {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.1.2.7",
        "--from", "scanner@contoso.com", "--to", "someone@fabrikam.com");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("RCPT TO <someone@fabrikam.com> refused: 550 5.7.1 Relaying denied")
        .contains("no recipient accepted");
  }

  @Test
  void aForeignSenderDomainIsRefusedAtMailFrom() {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.1.2.7",
        "--from", "scanner@fabrikam.com", "--to", "boss@contoso.com");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("[FAIL] MAIL FROM: <scanner@fabrikam.com> refused with 550 5.7.1 Sender address not allowed");
  }

  @Test
  void aConnectorRequiringTlsRefusesMailWithoutStartTlsAndAcceptsItWith() {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.3.1.1",
        "--from", "a@contoso.com", "--to", "x@fabrikam.com");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("[FAIL] TLS: MAIL FROM refused with 530 5.7.0 Must issue a STARTTLS command first");

    out.getBuffer().setLength(0);
    int withTls = relay("test-inbound", "--config", config.toString(), "--client", "10.3.1.1", "--tls",
        "--from", "a@contoso.com", "--to", "x@fabrikam.com");

    assertThat(withTls).as(out.toString()).isZero();
    assertThat(out.toString()).contains("[PASS] TLS: encrypted (TLSv1.2 or newer)").contains("via m365");
  }

  @Test
  void requiredAuthRefusesAnonymousMailAndAuthenticatedUsersMayRelay() {
    assertThat(relay("test-inbound", "--config", config.toString(), "--client", "10.4.0.5",
        "--from", "app@contoso.com", "--to", "x@fabrikam.com")).isEqualTo(2);
    assertThat(out.toString()).contains("530 5.7.0 Authentication required");

    out.getBuffer().setLength(0);
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.4.0.5", "--tls", "--user", "app",
        "--from", "app@contoso.com", "--to", "x@fabrikam.com");

    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).contains("[PASS] AUTH: user app may sign in; signed in, it may relay to any domain")
        .contains("via m365 from <app@contoso.com> to [<x@fabrikam.com>]");
  }

  @Test
  void jsonGivesTheSameFactsForScripts() throws Exception {
    int exit = relay("test-inbound", "--config", config.toString(), "--client", "10.1.2.7", "--json",
        "--from", "scanner@contoso.com", "--to", "someone@fabrikam.com", "--to", "boss@contoso.com");

    assertThat(exit).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(report.path("inboundConnector").asText()).isEqualTo("printers");
    assertThat(report.path("verdict").asText()).isEqualTo("warn");
    assertThat(report.path("exitStatus").asInt()).isEqualTo(1);
    assertThat(report.path("steps").findValuesAsText("step")).containsExactly("TLS", "MAIL FROM");
    assertThat(report.path("route").toString()).contains("Relaying denied").contains("via m365");
    assertThat(report.path("hint").asText()).contains("relay rights");
  }
}
