package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.connector.Secret;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;
import relay.config.model.TlsFiles;
import relay.core.connector.OutboundConnector;
import relay.core.connector.ClientCertificate;
import relay.core.connector.ExpectedName;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.TlsVersion;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.Domain;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.schedule.RetrySchedule;
import relay.core.session.SessionLimits;

class SmartHostFileTest {

  private static final Map<String, String> ENVIRONMENT =
      Map.of("UPSTREAM_HOST", "smtp.example.net", "SUBMISSION_PORT", "2587", "CLIENT_KEY_PASSWORD", "pem-pass");

  private static Path file() throws URISyntaxException {
    return Path.of(SmartHostFileTest.class.getResource("/smart-host.conf").toURI());
  }

  private static RelayConfig load(Map<String, String> environment) throws URISyntaxException {
    return ConfigLoader.load(Optional.of(file()), environment);
  }

  @Test
  void listenerKeysAreAllBound() throws Exception {
    RelayConfig config = load(ENVIRONMENT);
    Path home = Path.of("/srv/relay-from-file");
    assertThat(config.home()).isEqualTo(home);
    assertThat(config.hostname()).isEqualTo("relay.example.com");
    ListenerConfig lan = config.listeners().get(0);
    assertThat(lan.name()).isEqualTo("lan");
    assertThat(lan.address()).isEqualTo(InetAddress.getByName("0.0.0.0"));
    assertThat(lan.port()).isEqualTo(25);
    assertThat(lan.starttls()).isTrue();
    assertThat(lan.tls()).contains(new TlsFiles(home.resolve("tls/relay.crt"), Path.of("/etc/relay/relay.key")));
    assertThat(lan.maxConnections()).isEqualTo(200);
    assertThat(lan.maxConnectionsPerClient()).isEqualTo(20);
  }

  @Test
  void inboundConnectorKeysAreAllBoundAndOmittedOnesTakeDefaults() throws Exception {
    List<InboundConnector> connectors = load(ENVIRONMENT).listeners().get(0).inboundConnectors();
    assertThat(connectors.get(0)).isEqualTo(new InboundConnector(
        "scanners",
        List.of(ClientNetwork.parse("10.1.2.0/24"), ClientNetwork.parse("2001:db8:1::/48")),
        false,
        Set.of(Domain.of("example.com"), Domain.of("scan.example.com")),
        false,
        Set.of(Domain.of("example.com")),
        BareLineEndings.REJECT,
        new SessionLimits(25L * 1024 * 1024, 50, 5, 1024, 2000, Duration.ofMinutes(2), Duration.ofMinutes(3))));
    assertThat(connectors.get(1)).isEqualTo(new InboundConnector(
        "apps", List.of(ClientNetwork.parse("10.0.0.0/8")), true, Set.of(), true, Set.of(),
        BareLineEndings.NORMALIZE, SessionLimits.DEFAULTS));
  }

  @Test
  void smartHostConnectorBindsEveryKeyWithSubstitutedFirstHost() throws Exception {
    RelayConfig config = load(ENVIRONMENT);
    Path home = Path.of("/srv/relay-from-file");
    assertThat(config.outboundConnectors().getFirst()).isEqualTo(new OutboundConnector.SmartHost(
        "upstream",
        List.of(new UpstreamHost("smtp.example.net", 587), new UpstreamHost("10.0.0.2", 2525),
            new UpstreamHost("2001:db8::25", 587)),
        new TlsPolicy(TlsMode.VERIFY, List.of(ExpectedName.of("smtp.example.net"), ExpectedName.of("*.example.net")),
            TlsVersion.TLS_1_3, home.resolve("tls/ca.pem"),
            new ClientCertificate(home.resolve("tls/client.crt"), Path.of("/etc/relay/client.key"), new Secret("env:CLIENT_KEY_PASSWORD", "pem-pass"))),
        "relay.example.com",
        Duration.ofSeconds(10),
        Duration.ofMinutes(2),
        4));
    assertThat(config.delivery().retry()).isEqualTo(new RetrySchedule(
        Duration.ofSeconds(30), 1.5, Duration.ofMinutes(30), 0.1, Duration.ofDays(3)));
    assertThat(config.spool().directory()).isEqualTo(Path.of("/var/spool/relay"));
    assertThat(config.spool().minFreeSpace()).isEqualTo(1024L * 1024 * 1024);
    assertThat(config.logging().directory()).isEqualTo(home.resolve("log"));
    assertThat(config.admin().enabled()).isFalse();
    assertThat(config.admin().address()).isEqualTo(InetAddress.getByName("::1"));
    assertThat(config.admin().port()).isEqualTo(9100);
  }

  @Test
  void numberFromTheEnvironmentBindsAsAPort() throws Exception {
    ListenerConfig submission = load(ENVIRONMENT).listeners().get(1);
    assertThat(submission.port()).isEqualTo(2587);
    assertThat(submission.address()).isEqualTo(InetAddress.getByName("::"));
    assertThat(submission.inboundConnectors().getFirst().clientNetworks()).containsExactly(ClientNetwork.parse("::/0"));
  }

  @Test
  void optionalSubstitutionWithoutTheVariableDropsTheListElement() throws Exception {
    RelayConfig config = load(Map.of("SUBMISSION_PORT", "2587", "CLIENT_KEY_PASSWORD", "pem-pass"));
    assertThat(((OutboundConnector.SmartHost) config.outboundConnectors().getFirst()).hosts())
        .containsExactly(new UpstreamHost("10.0.0.2", 2525), new UpstreamHost("2001:db8::25", 587));
  }

  @Test
  void relayHomeInTheEnvironmentOverridesTheFile() throws Exception {
    Map<String, String> environment = Map.of(
        "UPSTREAM_HOST", "smtp.example.net", "SUBMISSION_PORT", "2587", "RELAY_HOME", "/opt/relay",
        "CLIENT_KEY_PASSWORD", "pem-pass");
    RelayConfig config = load(environment);
    assertThat(config.home()).isEqualTo(Path.of("/opt/relay"));
    assertThat(config.logging().directory()).isEqualTo(Path.of("/opt/relay/log"));
    assertThat(config.listeners().get(0).tls().orElseThrow().certificate()).isEqualTo(Path.of("/opt/relay/tls/relay.crt"));
  }
}
