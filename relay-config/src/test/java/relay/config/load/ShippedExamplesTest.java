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
import relay.core.connector.Secret;
import relay.core.connector.SubmissionCredential;
import relay.core.envelope.MailPath;
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
    RelayConfig config = ConfigLoader.load(Optional.of(example), Map.of("M365_CLIENT_SECRET", "example-secret"));
    assertThat(config.outboundConnectors()).isNotEmpty();
  }

  @Test
  void microsoft365ExampleTakesTenantClientIdAndSecretReferenceFromTheEnvironment() throws IOException {
    Path secretFile = Files.createTempFile("m365-secret", ".txt");
    try {
      Files.writeString(secretFile, "from-file\n");
      RelayConfig config = ConfigLoader.load(Optional.of(EXAMPLES.resolve("m365-oauth.conf")), Map.of(
          "M365_TENANT_ID", "fabrikam.onmicrosoft.com", "M365_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
          "M365_CLIENT_SECRET_REF", "file:" + secretFile));

      OutboundConnector.SmtpAuth m365 = (OutboundConnector.SmtpAuth) config.outboundConnector("m365").orElseThrow();
      assertThat(m365.host()).isEqualTo(OutboundConnector.SmtpAuth.OFFICE_365);
      SubmissionCredential.OAuth oauth = (SubmissionCredential.OAuth) m365.credential();
      assertThat(oauth.tenant()).isEqualTo("fabrikam.onmicrosoft.com");
      assertThat(oauth.clientId()).isEqualTo("11111111-2222-3333-4444-555555555555");
      assertThat(oauth.clientSecret()).isEqualTo(new Secret("file:" + secretFile, "from-file"));
      assertThat(m365.identities().forSender(MailPath.parse("billing@contoso.com")).orElseThrow().mailbox())
          .isEqualTo("billing@contoso.com");
    } finally {
      Files.delete(secretFile);
    }
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

  @Test
  void clusterExampleTakesNodeAndRedisFromTheEnvironmentAndThePasswordAsAReference() {
    RelayConfig config = ConfigLoader.load(Optional.of(EXAMPLES.resolve("cluster.conf")), Map.of(
        "M365_CLIENT_SECRET", "example-secret", "RELAY_NODE_NAME", "relay-2", "RELAY_NODE_ADDRESS", "10.0.0.12",
        "RELAY_REDIS_HOST", "10.0.0.20", "RELAY_REDIS_PORT", "6380",
        "RELAY_REDIS_PASSWORD_REF", "env:RELAY_REDIS_PASSWORD", "RELAY_REDIS_PASSWORD", "redis-pw"));

    relay.config.model.ClusterConfig cluster = config.cluster().orElseThrow();
    assertThat(cluster.nodeName()).isEqualTo("relay-2");
    assertThat(cluster.adminUrl().orElseThrow()).hasToString("http://10.0.0.12:9025");
    assertThat(cluster.redis().host()).isEqualTo("10.0.0.20");
    assertThat(cluster.redis().port()).isEqualTo(6380);
    assertThat(cluster.redis().password().orElseThrow()).isEqualTo(new Secret("env:RELAY_REDIS_PASSWORD", "redis-pw"));
  }
}
