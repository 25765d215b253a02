package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relay route} explains relay rights, each rule's decision and each recipient's connector. */
class RouteCommandTest {

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
              { name = "printers", client-networks = ["10.1.2.0/24"] }
              { name = "office", client-networks = ["10.0.0.0/8"], relay = true }
            ]
          }]
          accepted-domains = [{ domain = "contoso.com" }]
          outbound-connectors = [
            { name = "m365", type = drop, recipient-domains = ["*"] }
            { name = "partner", type = drop, recipient-domains = ["fabrikam.com"] }
            { name = "secure", type = drop, rule-scoped = true }
          ]
          rules = [
            {
              name = "Urgent via secure", priority = 1
              conditions { header-contains { name = "X-Priority", words = ["1"] } }
              actions { route-via = "secure", prepend-subject = "[URGENT] " }
            }
            {
              name = "Tag invoices", priority = 2, mode = test
              conditions { subject-contains = ["invoice"] }
              actions { add-header { name = "X-Invoice", value = "yes" } }
            }
            {
              name = "No mail to rivals", priority = 4
              conditions { recipient-domain = ["rival.example"] }
              actions { reject { code = 550, status = "5.7.1", text = "Not to them" } }
            }
            {
              name = "No huge mail", priority = 3
              conditions { size-over = 10MiB }
              actions { reject { code = 552, status = "5.3.4", text = "Too big" } }
            }
          ]
        }
        """.formatted(dir.resolve("home")));
  }

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(), args);
  }

  @Test
  void recipientsInTwoDomainsAreSplitAcrossTwoConnectors() {
    int exit = relay("route", "--config", config.toString(), "--client", "10.9.9.9",
        "--from", "app@contoso.com", "--to", "a@fabrikam.com", "--to", "b@example.org", "--header", "Subject: hello");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString())
        .contains("client 10.9.9.9 -> inbound connector office")
        .contains("[1] Urgent via secure: not matched")
        .contains("<a@fabrikam.com> -> partner (recipient domain matches fabrikam.com)")
        .contains("<b@example.org> -> m365 (recipient domain matches *)")
        .contains("split into 2 messages:")
        .contains("via partner from <app@contoso.com> to [<a@fabrikam.com>]")
        .contains("via m365 from <app@contoso.com> to [<b@example.org>]");
  }

  @Test
  void aHeaderRuleHitIsExplainedWithItsActionsAndTestModeRulesSayWhatTheyWouldDo() {
    int exit = relay("route", "--config", config.toString(), "--client", "10.9.9.9", "--from", "app@contoso.com",
        "--to", "b@example.org", "--header", "X-Priority: 1", "--header", "Subject: Invoice 42");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("[1] Urgent via secure: matched for <b@example.org>; route via secure, prepend subject '[URGENT] '")
        .contains("[2] Tag invoices: would match for <b@example.org>; would add header X-Invoice: yes")
        .contains("[3] No huge mail: not matched")
        .contains("<b@example.org> -> secure (rule 'Urgent via secure' routes via secure)")
        .contains("sent as one message:");
  }

  @Test
  void aSizeRuleRejectsTheWholeMessage() {
    relay("route", "--config", config.toString(), "--client", "10.9.9.9", "--from", "app@contoso.com",
        "--to", "b@example.org", "--size", "20000000");

    assertThat(out.toString()).contains("[3] No huge mail: matched").contains("message rejected at the end of DATA: 552 5.3.4 Too big");
  }

  @Test
  void aClientWithoutRelayRightsMaySendOnlyToAcceptedDomains() {
    relay("route", "--config", config.toString(), "--client", "10.1.2.7", "--from", "scan@contoso.com",
        "--to", "boss@contoso.com", "--to", "someone@example.org");

    assertThat(out.toString())
        .contains("client 10.1.2.7 -> inbound connector printers")
        .contains("RCPT TO <someone@example.org> refused: 550 5.7.1 Relaying denied")
        .contains("<boss@contoso.com> -> m365");
  }

  @Test
  void anEnvelopeRuleRejectRefusesThatRecipientAtRcptOnly() {
    relay("route", "--config", config.toString(), "--client", "10.9.9.9", "--from", "app@contoso.com",
        "--to", "x@rival.example", "--to", "b@example.org");

    assertThat(out.toString())
        .contains("RCPT TO <x@rival.example> refused: 550 5.7.1 Not to them (rejected by rule 'No mail to rivals')")
        .contains("<b@example.org> -> m365")
        .doesNotContain("message rejected");
  }

  @Test
  void routingNeedsNoSecretsSoUnsetEnvironmentVariablesAreNoProblem() {
    // The Microsoft 365 example reads its client secret from env:M365_CLIENT_SECRET, unset here.
    assertThat(System.getenv("M365_CLIENT_SECRET")).isNull();
    int exit = relay("route", "--config", Path.of("..", "conf", "examples", "m365-oauth.conf").toString(),
        "--client", "192.168.30.5", "--from", "app@contoso.com", "--to", "someone@example.org");

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("via m365 from <noreply@contoso.com> to [<someone@example.org>]");
  }

  @Test
  void aClientNoInboundConnectorAdmitsIsRefusedAtConnect() {
    int exit = relay("route", "--config", config.toString(), "--client", "192.0.2.1", "--from", "a@contoso.com", "--to", "b@contoso.com");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("client 192.0.2.1 is admitted by no inbound connector: the connection is refused with 554 5.7.1");
  }

  @Test
  void anUnknownInboundConnectorIsAUsageError() {
    int exit = relay("route", "--config", config.toString(), "--connector", "nope", "--from", "a@contoso.com", "--to", "b@contoso.com");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("no inbound connector is named 'nope'");
  }
}
