package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.Domain;

/** Every file in {@code conf/examples} loads, on its defaults and with endpoints from the environment. */
class ShippedExamplesTest {

  private static final Path EXAMPLES = Path.of("..", "conf", "examples");

  static Stream<Path> examples() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      files = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .contains("m365-oauth.conf", "m365-connector-cert.conf", "partner-smarthost.conf", "rules.conf");
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleLoadsOnItsDefaults(Path example) {
    RelayConfig config = ConfigLoader.load(Optional.of(example), Map.of());
    assertThat(config.outboundConnectors()).isNotEmpty();
  }

  @Test
  void partnerExampleTakesItsEndpointsFromTheEnvironment() {
    RelayConfig config = ConfigLoader.load(Optional.of(EXAMPLES.resolve("partner-smarthost.conf")), Map.of(
        "PARTNER_SMTP_HOST", "10.9.8.7", "PARTNER_SMTP_PORT", "2525", "M365_MX_HOST", "mx.test.example",
        "RELAY_HOSTNAME", "relay.test.example"));

    assertThat(config.hostname()).isEqualTo("relay.test.example");
    OutboundConnector.SmartHost partner = (OutboundConnector.SmartHost) config.outboundConnector("fabrikam").orElseThrow();
    assertThat(partner.hosts()).containsExactly(new UpstreamHost("10.9.8.7", 2525));
    OutboundConnector.SmartHost m365 = (OutboundConnector.SmartHost) config.outboundConnector("m365").orElseThrow();
    assertThat(m365.hosts()).containsExactly(new UpstreamHost("mx.test.example", 25));
    assertThat(config.routing().router().route(Domain.of("eu.fabrikam.com")).orElseThrow().connector()).isEqualTo("fabrikam");
  }

  @Test
  void partnerExampleDefaultsToThePublicEndpoints() {
    RelayConfig config = ConfigLoader.load(Optional.of(EXAMPLES.resolve("partner-smarthost.conf")), Map.of());

    assertThat(((OutboundConnector.SmartHost) config.outboundConnector("fabrikam").orElseThrow()).hosts())
        .containsExactly(new UpstreamHost("smtp.fabrikam.com", 587));
  }
}
