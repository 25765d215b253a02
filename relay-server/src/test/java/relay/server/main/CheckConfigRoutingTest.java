package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code relay check-config} prints the routing table and who may send what; every shipped example passes. */
class CheckConfigRoutingTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** What the shipped Microsoft 365 example's env:M365_CLIENT_SECRET resolves to; must never be printed. */
  private static final String CLIENT_SECRET = "Qz8~example-client-secret-value";

  private int relay(String... args) {
    CommandLine command = new CommandLine(new Main(Map.of("M365_CLIENT_SECRET", CLIENT_SECRET)));
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute(args);
  }

  @Test
  void printsTheRoutingTableMostSpecificFirstWithRuleScopedConnectorsAndRules() throws Exception {
    Path file = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [
              { name = "printers", client-networks = ["10.1.2.0/24"], require-tls = true,
                allowed-sender-domains = ["contoso.com"], recipient-domains = ["partner.example"] }
            ]
          }]
          accepted-domains = [{ domain = "contoso.com" }, { domain = "*.contoso.com", type = internal-relay }]
          outbound-connectors = [
            { name = "m365", type = drop, recipient-domains = ["*"] }
            { name = "partner", type = smart-host, hosts = ["smtp.fabrikam.com:587"], tls = required,
              recipient-domains = ["*.fabrikam.com", "fabrikam.com"] }
            { name = "archive", type = drop, rule-scoped = true }
          ]
          rules = [
            { name = "Archive scans", priority = 5, mode = test, conditions { inbound-connector = ["printers"] }, actions { route-via = "archive" } }
            { name = "Tag alarms", priority = 1, conditions { subject-contains = ["alarm"] }, actions { prepend-subject = "[ALARM] " }, stop-processing = true }
          ]
        }
        """.formatted(dir.resolve("home")));

    int exit = relay("check-config", file.toString());

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    String text = out.toString();
    assertThat(text).contains("inbound connector printers: clients [10.1.2.0/24], may send to accepted domains only "
        + "and [partner.example], TLS required, senders from [contoso.com]");
    assertThat(text).contains("""
        routing table (most specific first):
          fabrikam.com   -> partner
          *.fabrikam.com -> partner
          *              -> m365
          (rule-scoped) -> archive, only when a rule routes via it
        """);
    assertThat(text).contains("  m365: drop folder " + dir.resolve("home").resolve("drop"))
        .contains("  partner: smart host smtp.fabrikam.com:587 (TLS required)")
        .contains("  contoso.com (authoritative)").contains("  *.contoso.com (internal-relay)")
        .contains("  *: auto-replies allowed, auto-forwarding allowed, delivery reports allowed");
    assertThat(text.indexOf("[1] Tag alarms: enforce, decided at end of DATA, 1 condition(s), 0 exception(s); "
        + "prepend subject '[ALARM] '; stops processing"))
        .isPositive()
        .isLessThan(text.indexOf("[5] Archive scans: test, decided at RCPT, 1 condition(s), 0 exception(s); route via archive"));
  }

  @Test
  void showsEachConnectorsRetryScheduleAndWhetherItIsItsOwnOrTheGlobalOne() throws Exception {
    Path file = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "apps", client-networks = ["10.0.0.0/8"], relay = true }]
          }]
          outbound-connectors = [
            { name = "scans", type = drop, recipient-domains = ["*"] }
            { name = "partner", type = smart-host, hosts = ["smtp.fabrikam.com"], recipient-domains = ["fabrikam.com"]
              retry { initial-delay = 30s, max-delay = 10m, jitter = 0, max-lifetime = 6h } }
          ]
        }
        """.formatted(dir.resolve("home")));

    int exit = relay("check-config", "--no-port-check", file.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("scans: drop folder " + dir.resolve("home").resolve("drop")
            + "; retry every 1m x2.0 up to 1h, jitter 20%, give up after 2d (global)")
        .contains("partner: smart host smtp.fabrikam.com:25 (TLS opportunistic); "
            + "retry every 30s x2.0 up to 10m, jitter 0%, give up after 6h (own)");
  }

  @Test
  void describesAnMxConnectorWithItsTlsModeResolversAndLimits() throws Exception {
    Path file = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "apps", client-networks = ["10.0.0.0/8"], relay = true }]
          }]
          outbound-connectors = [
            { name = "internet", type = mx, resolvers = ["10.0.0.53", "10.0.0.54:5353"], max-connections = 30,
              max-connections-per-destination = 3, recipient-domains = ["*"] }
          ]
        }
        """.formatted(dir.resolve("home")));

    int exit = relay("check-config", "--no-port-check", file.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("  internet: MX of each recipient domain, port 25 (TLS opportunistic, "
        + "DNS 10.0.0.53:53, 10.0.0.54:5353, 30 connections, 3 per host)");
  }

  @Test
  void aListenerPortInUseFailsTheCheckUnlessPortCheckingIsOff() throws Exception {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Path file = Files.writeString(dir.resolve("relay.conf"), """
          relay.listeners = [{
            name = "lan", address = "127.0.0.1", port = %d
            inbound-connectors = [{ name = "local", client-networks = ["127.0.0.1"], relay = true }]
          }]
          """.formatted(held.getLocalPort()));

      int exit = relay("check-config", file.toString());

      assertThat(exit).isEqualTo(2);
      assertThat(err.toString()).contains("relay.conf:2: relay.listeners[0].port: port " + held.getLocalPort()
          + " on 127.0.0.1 is already in use on this machine");
      assertThat(relay("check-config", "--no-port-check", file.toString())).isZero();
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("..", "conf", "examples"))) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
      assertThat(list).hasSizeGreaterThanOrEqualTo(4);
      return list.stream();
    }
  }

  /** The examples bind port 25, which a build machine may use itself: CI checks them without probing. */
  @ParameterizedTest
  @MethodSource("examples")
  void everyShippedExamplePassesCheckConfig(Path example) {
    int exit = relay("check-config", "--no-port-check", example.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString()).contains(example + ": valid").contains("routing table");
    assertThat(out.toString()).doesNotContain(CLIENT_SECRET);
  }

  @Test
  void microsoft365ExampleDescribesItsSmtpAuthConnectorWithoutTheSecret() {
    Path example = Path.of("..", "conf", "examples", "m365-oauth.conf");

    assertThat(relay("check-config", "--no-port-check", example.toString())).isZero();
    assertThat(out.toString()).contains("m365: smtp-auth smtp.office365.com:587 (STARTTLS verified, XOAUTH2)")
        .doesNotContain(CLIENT_SECRET);
  }
}
