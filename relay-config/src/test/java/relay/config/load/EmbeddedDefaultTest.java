package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.schedule.RetrySchedule;
import relay.core.session.SessionLimits;

class EmbeddedDefaultTest {

  @TempDir Path home;

  private RelayConfig load() {
    return ConfigLoader.load(Optional.empty(), Map.of("RELAY_HOME", home.toString()));
  }

  @Test
  void embeddedDefaultListensOnLoopback2525WithStarttls() throws Exception {
    RelayConfig config = load();
    assertThat(config.hostname()).isEqualTo("localhost");
    assertThat(config.listeners()).hasSize(1);
    ListenerConfig listener = config.listeners().getFirst();
    assertThat(listener.name()).isEqualTo("default");
    assertThat(listener.address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(listener.port()).isEqualTo(2525);
    assertThat(listener.starttls()).isTrue();
    assertThat(listener.tls()).isEmpty();
    assertThat(listener.maxConnections()).isEqualTo(500);
    assertThat(listener.maxConnectionsPerClient()).isEqualTo(50);
    assertThat(config.generatedTlsDirectory()).isEqualTo(home.resolve("tls"));
  }

  @Test
  void embeddedDefaultRelaysOnlyForLoopbackClients() {
    InboundConnector loopback = load().listeners().getFirst().inboundConnectors().getFirst();
    assertThat(loopback.name()).isEqualTo("loopback");
    assertThat(loopback.clientNetworks())
        .containsExactly(ClientNetwork.parse("127.0.0.0/8"), ClientNetwork.parse("::1/128"));
    assertThat(loopback.requireTls()).isFalse();
    assertThat(loopback.allowedSenderDomains()).isEmpty();
    assertThat(loopback.relayToAnyDomain()).isTrue();
    assertThat(loopback.recipientDomains()).isEmpty();
    assertThat(loopback.bareLineEndings()).isEqualTo(BareLineEndings.NORMALIZE);
    assertThat(loopback.limits()).isEqualTo(new SessionLimits(
        50L * 1024 * 1024, 500, 10, 4096, 64 * 1024, Duration.ofMinutes(5), Duration.ofMinutes(10)));
  }

  @Test
  void embeddedDefaultDropsMailUnderHomeAndKeepsAdminOnLoopback() throws Exception {
    RelayConfig config = load();
    assertThat(config.home()).isEqualTo(home);
    assertThat(config.outboundConnectors().getFirst()).isEqualTo(new OutboundConnector.Drop("drop", home.resolve("drop")));
    assertThat(config.delivery().retry()).isEqualTo(new RetrySchedule(
        Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.2, Duration.ofDays(2)));
    assertThat(config.spool().directory()).isEqualTo(home.resolve("spool"));
    assertThat(config.spool().minFreeSpace()).isEqualTo(100L * 1024 * 1024);
    assertThat(config.logging().directory()).isEqualTo(home.resolve("logs"));
    assertThat(config.admin().enabled()).isTrue();
    assertThat(config.admin().address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(config.admin().port()).isEqualTo(9025);
  }

  @Test
  void withoutRelayHomeTheDefaultHomeIsVarUnderTheWorkingDirectory() {
    RelayConfig config = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(config.home()).isEqualTo(Path.of("var").toAbsolutePath());
    assertThat(config.outboundConnectors().getFirst())
        .isEqualTo(new OutboundConnector.Drop("drop", Path.of("var", "drop").toAbsolutePath()));
  }

  @Test
  void embeddedDefaultRoutesEveryDomainToTheDropConnectorWithNoRulesOrAcceptedDomains() throws Exception {
    RelayConfig config = load();
    assertThat(config.outboundConnectors()).containsExactly(new OutboundConnector.Drop("drop", home.resolve("drop")));
    assertThat(config.routing().connectors()).containsExactly(relay.core.routing.ConnectorScope.byDomain("drop", "*"));
    assertThat(config.routing().router().route(relay.core.envelope.Domain.of("anything.example")).orElseThrow().connector())
        .isEqualTo("drop");
    assertThat(config.routing().rules()).isEmpty();
    assertThat(config.routing().acceptedDomains().domains()).isEmpty();
    assertThat(config.routing().remoteDomains().domains()).containsExactly(relay.core.routing.RemoteDomain.DEFAULT);
    assertThat(config.defaultConnector()).isEqualTo(config.outboundConnectors().getFirst());
  }
}
