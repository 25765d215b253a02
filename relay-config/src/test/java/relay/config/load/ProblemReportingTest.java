package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ListenerTls;
import relay.config.model.RelayConfig;
import relay.core.policy.ClientNetwork;

class ProblemReportingTest {

  @TempDir Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("relay.conf"), text);
  }

  private List<String> problems(String text, Map<String, String> environment) throws IOException {
    Path file = write(text);
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(file), environment));
    return e.problems().stream().map(p -> p.toString().replace(dir + "/", "")).toList();
  }

  private static String listener(String connectors) {
    return "relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 2525, inbound-connectors = ["
        + connectors + "] }]\n";
  }

  @Test
  void syntaxErrorIsReportedWithFileAndLine() throws IOException {
    assertThat(problems("relay {\n  hostname = \"x\"\n  listeners = [ }\n}\n", Map.of()))
        .singleElement().asString()
        .startsWith("relay.conf:3: ")
        .contains("List should have ]");
  }

  @Test
  void missingFileIsAProblemNotAFallbackToTheDefault() {
    Path missing = dir.resolve("absent.conf");
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(missing), Map.of()));
    assertThat(e.getMessage()).isEqualTo("1 configuration problem:\n" + missing + ": no such file");
  }

  @Test
  void unresolvableSubstitutionNamesItsLine() throws IOException {
    assertThat(problems("relay {\n  hostname = ${relay.nowhere}\n}\n", Map.of()))
        .singleElement().asString().startsWith("relay.conf:2: ").contains("${relay.nowhere}");
  }

  @Test
  void unknownKeyResemblingNothingListsTheKnownKeys() throws IOException {
    assertThat(problems("relay.admin.flavour = vanilla\n", Map.of()))
        .containsExactly("relay.conf:1: relay.admin.flavour: unknown key (known keys: address, enabled, metrics-open, port, tls, tokens)");
  }

  @Test
  void quotedBooleanInTheFileIsRefusedButEnvironmentStringsAreAccepted() throws IOException {
    assertThat(problems("relay.admin.enabled = \"false\"\n", Map.of()))
        .containsExactly("relay.conf:1: relay.admin.enabled: expected true or false, found string 'false'");
    RelayConfig config = ConfigLoader.load(Optional.of(write(
        "relay.admin { enabled = ${ADMIN}, port = ${ADMIN_PORT} }\n")), Map.of("ADMIN", "false", "ADMIN_PORT", "9300"));
    assertThat(config.admin().enabled()).isFalse();
    assertThat(config.admin().port()).isEqualTo(9300);
  }

  @Test
  void networkCoveredByAnEarlierConnectorIsUnreachable() throws IOException {
    assertThat(problems(listener("""
        { name = broad, client-networks = ["10.0.0.0/8"], relay = true }
        { name = narrow, client-networks = ["192.168.0.0/16", "10.1.0.0/16"] }
        """), Map.of()))
        .containsExactly("relay.conf:2: relay.listeners[0].inbound-connectors[1].client-networks[1]: "
            + "10.1.0.0/16 is never used: connector 'broad' comes first and covers it with 10.0.0.0/8 "
            + "(first match wins: put the more specific connector first)");
  }

  @Test
  void specificNetworkBeforeBroaderOneIsAllowed() throws IOException {
    RelayConfig config = ConfigLoader.load(Optional.of(write(listener("""
        { name = printer, client-networks = ["10.0.0.5"], relay = false, recipient-domains = [example.com] }
        { name = lan, client-networks = ["10.0.0.0/8"], relay = true }
        """))), Map.of());
    assertThat(config.listeners().getFirst().inboundConnectors().get(1).clientNetworks())
        .containsExactly(ClientNetwork.parse("10.0.0.0/8"));
  }

  @Test
  void openRelayNeedsExplicitConsent() throws IOException {
    assertThat(problems(listener("{ name = all, client-networks = [\"::/0\"], relay = true }"), Map.of()))
        .singleElement().asString().contains("relay = true for ::/0 makes an open relay");
    RelayConfig config = ConfigLoader.load(Optional.of(write(listener(
        "{ name = all, client-networks = [\"::/0\"], relay = true, allow-open-relay = true }"))), Map.of());
    assertThat(config.listeners().getFirst().inboundConnectors().getFirst().relayToAnyDomain()).isTrue();
  }

  @Test
  void listenerTlsSettingsAreCheckedAndBound() throws IOException {
    String lan = "{ name = lan, client-networks = [\"10.0.0.0/8\"] }";
    assertThat(problems("relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 465, implicit-tls = true, "
        + "starttls = true, inbound-connectors = [" + lan + "] }]\n", Map.of()))
        .singleElement().asString().contains("starttls: cannot be true with implicit-tls = true");
    assertThat(problems("relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, tls-min-version = SSLv3, "
        + "inbound-connectors = [" + lan + "] }]\n", Map.of()))
        .singleElement().asString().contains("'SSLv3' is not a TLS version");
    assertThat(problems("relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, starttls = false, "
        + "tls-min-version = TLSv1, inbound-connectors = [" + lan + "] }]\n", Map.of()))
        .singleElement().asString().contains("offers no TLS");
    RelayConfig config = ConfigLoader.load(Optional.of(write("relay.listeners = [{ name = a, address = \"127.0.0.1\", "
        + "port = 465, implicit-tls = true, tls-min-version = TLSv1, inbound-connectors = [" + lan + "] }]\n")), Map.of());
    assertThat(config.listeners().getFirst().encryption())
        .isEqualTo(new ListenerTls(ListenerTls.Mode.IMPLICIT, ListenerTls.Version.TLS_1_0));
    assertThat(config.listeners().getFirst().starttls()).isFalse();
  }

  @Test
  void proxyProtocolBalancersAreBoundAndMayNotCoverThePublicInternet() throws IOException {
    String lan = "{ name = lan, client-networks = [\"10.0.0.0/8\"] }";
    RelayConfig config = ConfigLoader.load(Optional.of(write("relay.listeners = [{ name = a, address = \"127.0.0.1\", "
        + "port = 25, proxy-protocol-from = [\"10.9.0.5\", \"35.191.0.0/16\"], inbound-connectors = [" + lan + "] }]\n")),
        Map.of());
    assertThat(config.listeners().getFirst().proxyFrom())
        .containsExactly(ClientNetwork.parse("10.9.0.5/32"), ClientNetwork.parse("35.191.0.0/16"));
    assertThat(problems("relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, "
        + "proxy-protocol-from = [\"0.0.0.0/1\", \"128.0.0.0/1\"], inbound-connectors = [" + lan + "] }]\n", Map.of()))
        .singleElement().asString().contains("proxy-protocol-from: covers too much of the public address space");
    assertThat(problems("relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, "
        + "proxy-protocol-from = [\"10.9.0.5/8\"], inbound-connectors = [" + lan + "] }]\n", Map.of()))
        .singleElement().asString().contains("did you mean 10.0.0.0/8?");
  }

  @Test
  void logSizesAreBoundAndAFileLargerThanItsLogsTotalIsRefused() throws IOException {
    String lan = "{ name = lan, client-networks = [\"10.0.0.0/8\"] }";
    String listener = "relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, inbound-connectors = [" + lan + "] }]\n";
    RelayConfig config = ConfigLoader.load(Optional.of(write(listener
        + "relay.logging { max-file-size = 10MiB, protocol-log-total-size = 50MiB, keep-days = 7 }\n")), Map.of());
    assertThat(config.logging().maxFileSize()).isEqualTo(10L << 20);
    assertThat(config.logging().protocolLogTotal()).isEqualTo(50L << 20);
    assertThat(config.logging().trackingLogTotal()).isEqualTo(1L << 30);
    assertThat(config.logging().keepDays()).isEqualTo(7);
    assertThat(problems(listener + "relay.logging { max-file-size = 200MiB, tracking-log-total-size = 100MiB }\n", Map.of()))
        .singleElement().asString().contains("tracking-log-total-size: is less than max-file-size");
    assertThat(problems(listener + "relay.logging.max-file-size = 10KiB\n", Map.of()))
        .singleElement().asString().contains("max-file-size: 10240 octets is too small for a log file");
  }

  @Test
  void anAdminEndpointReachableFromOtherHostsNeedsTokensAndTokensNeedRoles() throws IOException {
    String lan = "{ name = lan, client-networks = [\"10.0.0.0/8\"] }";
    String listener = "relay.listeners = [{ name = a, address = \"127.0.0.1\", port = 25, inbound-connectors = [" + lan + "] }]\n";
    assertThat(problems(listener + "relay.admin.address = \"0.0.0.0\"\n", Map.of()))
        .singleElement().asString().contains("admin.address: 0.0.0.0 is reachable from other hosts, and the admin API has no tokens");
    assertThat(problems(listener + "relay.admin { address = \"0.0.0.0\", tokens = [{ name = ops, token = \"env:OPS\", "
        + "role = root }, { name = ops, token = \"env:HELP\", role = read }] }\n", Map.of("OPS", "s3cret-ops", "HELP", "h")))
        .hasSize(2).anySatisfy(p -> assertThat(p).contains("role: 'root' is not a role"))
        .anySatisfy(p -> assertThat(p).contains("duplicate token name 'ops'"));
    RelayConfig config = ConfigLoader.load(Optional.of(write(listener + "relay.admin { address = \"0.0.0.0\", "
        + "metrics-open = false, tokens = [{ name = ops, token = \"env:OPS\", role = admin }] }\n")), Map.of("OPS", "s3cret-ops"));
    assertThat(config.admin().tokens()).singleElement().satisfies(t -> {
      assertThat(t.name()).isEqualTo("ops");
      assertThat(t.role()).isEqualTo(relay.config.model.AdminToken.Role.ADMIN);
      assertThat(t.token().reveal()).isEqualTo("s3cret-ops");
    });
    assertThat(config.admin().metricsOpen()).isFalse();
  }

  @Test
  void openRelayIsJudgedByWhatTheNetworksCoverNotHowTheyAreWritten() throws IOException {
    assertThat(problems(listener(
        "{ name = halves, client-networks = [\"0.0.0.0/1\", \"128.0.0.0/1\"], relay = true }"), Map.of()))
        .hasSize(2).allSatisfy(p -> assertThat(p).contains("makes an open relay"));
    // Each half under a (deliberately high) 60 % share, together all of it.
    assertThat(problems(listener("{ name = halves, client-networks = [\"0.0.0.0/1\", \"128.0.0.0/1\"], "
        + "relay = true, open-relay-percent = 60 }"), Map.of()))
        .singleElement().asString()
        .contains("client-networks: relay = true for these networks together makes an open relay")
        .contains("cover 100% of the public address space (more than 60%)");
    assertThat(problems(listener(
        "{ name = mapped, client-networks = [\"::ffff:0.0.0.0/96\"], relay = true }"), Map.of()))
        .singleElement().asString().contains("relay = true for ::ffff:0.0.0.0/96 makes an open relay");
    assertThat(problems(listener(
        "{ name = wide, client-networks = [\"2000::/4\"], relay = true }"), Map.of()))
        .singleElement().asString().contains("makes an open relay");
    // Private space, however wide, and a company's public /16 are not the Internet.
    RelayConfig config = ConfigLoader.load(Optional.of(write(listener("{ name = lan, client-networks = "
        + "[\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\", \"fc00::/7\", \"198.51.0.0/16\", "
        + "\"::ffff:192.0.2.0/120\"], relay = true }"))), Map.of());
    assertThat(config.listeners().getFirst().inboundConnectors().getFirst().clientNetworks())
        .contains(ClientNetwork.parse("192.0.2.0/24"));
  }

  @Test
  void missingRequiredKeysAreEachReportedAtTheirObject() throws IOException {
    assertThat(problems("relay.listeners = [\n  { name = a }\n]\n", Map.of())).containsExactly(
        "relay.conf:2: relay.listeners[0].address: is required but missing",
        "relay.conf:2: relay.listeners[0].inbound-connectors: is required but missing",
        "relay.conf:2: relay.listeners[0].port: is required but missing");
  }

  @Test
  void duplicateListenerNamesAndBindsAreReported() throws IOException {
    String c = "inbound-connectors = [{ name = c, client-networks = [\"127.0.0.1\"] }]";
    assertThat(problems("relay.listeners = [\n"
        + "  { name = a, address = \"127.0.0.1\", port = 2525, " + c + " }\n"
        + "  { name = a, address = \"127.0.0.1\", port = 2525, " + c + " }\n]\n", Map.of()))
        .containsExactly(
            "relay.conf:3: relay.listeners[1]: binds 127.0.0.1 port 2525 like listeners[0]",
            "relay.conf:3: relay.listeners[1].name: duplicate name 'a' (already used by listeners[0])");
  }

  @Test
  void malformedValuesGetPreciseReasons() throws IOException {
    assertThat(problems("""
        relay.spool.min-free-space = lots
        relay.delivery.retry.jitter = 1.5
        relay.delivery.retry.max-delay = 10s
        relay.admin.address = localhost
        relay.hostname = "bad host"
        """, Map.of())).containsExactly(
        "relay.conf:1: relay.spool.min-free-space: 'lots' is not a size (a number with a unit, e.g. 64KiB, 50MiB, 1GiB)",
        "relay.conf:2: relay.delivery.retry.jitter: 1.5 is out of range (0.0..1.0)",
        "relay.conf:3: relay.delivery.retry.max-delay: is shorter than initial-delay",
        "relay.conf:4: relay.admin.address: 'localhost' is not an IP address (use a literal such as 127.0.0.1, 0.0.0.0 or ::)",
        "relay.conf:5: relay.hostname: 'bad host' is not a host name (e.g. relay.example.com)");
  }
}
