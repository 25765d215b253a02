package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.UpstreamHost;

/** The commented example shipped in {@code conf/relay.conf} must stay valid as the schema evolves. */
class ExampleConfigurationTest {

  @Test
  void shippedExampleForALanSmartHostLoads() {
    Path example = Path.of("..", "conf", "relay.conf");
    RelayConfig config = ConfigLoader.load(Optional.of(example), Map.of());

    assertThat(config.home()).isEqualTo(Path.of("/var/lib/relay"));
    assertThat(config.listeners().getFirst().inboundConnectors())
        .extracting(c -> c.name()).containsExactly("printers", "office-lan", "local");
    OutboundConnector.SmartHost gateway = (OutboundConnector.SmartHost) config.outboundConnectors().getFirst();
    assertThat(gateway.hosts()).containsExactly(
        new UpstreamHost("mx1.example.com", 25), new UpstreamHost("mx2.example.com", 2525));
    assertThat(gateway.tls().mode()).isEqualTo(TlsMode.VERIFY);
    assertThat(gateway.tls().caBundle()).isEqualTo(Path.of("/etc/relay/tls/internal-ca.pem"));
    assertThat(gateway.heloName()).isEqualTo("relay.office.example.com");
    assertThat(config.delivery().retry().maxLifetime()).isEqualTo(Duration.ofDays(4));
    assertThat(config.delivery().retry().initialDelay()).isEqualTo(Duration.ofMinutes(1));
  }
}
