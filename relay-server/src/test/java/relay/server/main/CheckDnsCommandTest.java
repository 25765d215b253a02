package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.server.outbound.TinyDns;

/** {@code relay check-dns}: a step-by-step report and an exit status, from a local DNS server only. */
class CheckDnsCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private TinyDns dns;

  @BeforeEach
  void start() throws Exception {
    dns = new TinyDns();
    dns.mx("contoso.com", 0, "contoso-com.mail.protection.outlook.com")
        .a("contoso-com.mail.protection.outlook.com", "192.0.2.25")
        .txt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 -all")
        .cname("selector1._domainkey.contoso.com", "selector1-contoso-com._domainkey.contoso.onmicrosoft.com")
        .cname("selector2._domainkey.contoso.com", "selector2-contoso-com._domainkey.contoso.onmicrosoft.com")
        .cname("autodiscover.contoso.com", "autodiscover.outlook.com");
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(), args);
  }

  private String resolver() {
    return "127.0.0.1:" + dns.address().port();
  }

  @Test
  void aGoodDomainExitsZeroWithEveryStepShown() {
    dns.txt("contoso.com", "v=spf1 ip4:203.0.113.7 include:spf.protection.outlook.com -all")
        .txt("_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com");

    int exit = relay("check-dns", "contoso.com", "--relay-ip", "203.0.113.7", "--resolver", resolver());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString())
        .startsWith("DNS check of contoso.com (asking " + resolver() + "), checked as a Microsoft 365 domain\n")
        .contains("\nMX\n", "\nSPF\n", "\nDKIM\n", "\nDMARC\n", "\nAutodiscover\n")
        .contains("  PASS      relay 203.0.113.7: pass: matched ip4:203.0.113.7 in contoso.com\n")
        .endsWith("exit 0\n");
  }

  @Test
  void anUnauthorisedRelayFailsWithTheFixAndExitTwo() {
    dns.txt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
        .txt("_dmarc.contoso.com", "v=DMARC1; p=reject");

    int exit = relay("check-dns", "contoso.com", "--relay-ip", "198.51.100.9", "--resolver", resolver());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString())
        .contains("  FAIL      relay 198.51.100.9: fail: matched -all in contoso.com\n")
        .contains("fix: mail the relay sends straight to the Internet (mx connector) fails SPF: add ip4:198.51.100.9");
  }

  @Test
  void policyNoneAloneExitsOneAndJsonSaysTheSame() throws Exception {
    dns.txt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
        .txt("_dmarc.contoso.com", "v=DMARC1; p=none; rua=mailto:dmarc@contoso.com");

    int exit = relay("check-dns", "contoso.com", "--resolver", resolver(), "--json");

    assertThat(exit).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("exit").asInt()).isEqualTo(1);
    assertThat(json.get("result").asText()).isEqualTo("warn");
    JsonNode policy = null;
    for (JsonNode c : json.get("checks")) {
      if (c.get("check").asText().equals("policy")) {
        policy = c;
      }
    }
    assertThat(policy).isNotNull();
    assertThat(policy.get("area").asText()).isEqualTo("DMARC");
    assertThat(policy.get("outcome").asText()).isEqualTo("warn");
    assertThat(policy.get("fix").asText()).contains("p=quarantine");
  }

  @Test
  void serverFailureExitsThree() {
    dns.serverFailure("contoso.com");

    int exit = relay("check-dns", "contoso.com", "--resolver", resolver());

    assertThat(exit).isEqualTo(3);
    assertThat(out.toString()).contains("DNS-ERROR MX records: contoso.com: lookup failed: SERVFAIL");
  }

  @Test
  void theResolversAndTimeoutComeFromTheConfiguredMxConnector() throws Exception {
    Path config = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          outbound-connectors = [
            { name = "internet", type = mx, recipient-domains = ["*"], resolvers = ["%s"], dns-timeout = 2s }
          ]
        }
        """.formatted(dir.resolve("home"), resolver()));
    dns.mx("fabrikam.com", 0, ".");

    int exit = relay("check-dns", "fabrikam.com", "--config", config.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).startsWith("DNS check of fabrikam.com (asking " + resolver() + ")")
        .contains("null MX");
    assertThat(exit).isEqualTo(2); // no SPF record
  }

  @Test
  void invalidArgumentsExitTwoWithoutAReport() {
    assertThat(relay("check-dns", "contoso.com", "--relay-ip", "not-an-ip", "--resolver", resolver())).isEqualTo(2);
    assertThat(relay("check-dns", "contoso.com", "--resolver", "127.0.0.1:99999")).isEqualTo(2);
    assertThat(relay("check-dns", "user@contoso.com", "--resolver", resolver())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--resolver 127.0.0.1:99999", "not a domain name");
  }

  @Test
  void resolverAddressesTakeAnOptionalPort() {
    assertThat(CheckDnsCommand.server("192.0.2.53")).hasToString("192.0.2.53:53");
    assertThat(CheckDnsCommand.server("192.0.2.53:5353").port()).isEqualTo(5353);
    assertThat(CheckDnsCommand.server("2001:db8::53").host()).isEqualTo("2001:db8::53");
    assertThat(CheckDnsCommand.server("[2001:db8::53]:5353").port()).isEqualTo(5353);
  }
}
