package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;
import relay.config.model.RoutingConfig;
import relay.core.connector.OutboundConnector;
import relay.core.envelope.Domain;
import relay.core.policy.InboundConnector;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.AcceptedDomainType;
import relay.core.routing.ConnectorScope;
import relay.core.routing.DomainPattern;
import relay.core.routing.RemoteDomain;
import relay.core.routing.Route;

/** Outbound connectors with their scopes, accepted and remote domains, and relay rights. */
class RoutingBindingTest {

  @TempDir Path dir;

  private static final String ROUTING = """
      relay.outbound-connectors = [
        { name = "m365", type = smart-host, hosts = ["contoso-com.mail.protection.outlook.com"], tls = required, recipient-domains = ["*"] }
        { name = "partner", type = smart-host, hosts = ["smtp.fabrikam.com:587"], recipient-domains = ["fabrikam.com", "*.fabrikam.com"] }
        { name = "archive", type = drop, directory = "archive", rule-scoped = true }
      ]
      relay.accepted-domains = [
        { domain = "contoso.com" }
        { domain = "*.contoso.com", type = internal-relay }
      ]
      relay.remote-domains = [
        { domain = "fabrikam.com", allow-auto-replies = false, allow-delivery-reports = false, max-message-size = 20MiB }
      ]
      """;

  @Test
  void outboundConnectorsBindInFileOrderEachWithItsScope() throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(ROUTING);

    assertThat(config.outboundConnectors()).extracting(OutboundConnector::name).containsExactly("m365", "partner", "archive");
    assertThat(config.outboundConnectors().get(2)).isEqualTo(new OutboundConnector.Drop("archive", config.home().resolve("archive")));
    assertThat(config.routing().connectors()).containsExactly(
        ConnectorScope.byDomain("m365", "*"),
        ConnectorScope.byDomain("partner", "fabrikam.com", "*.fabrikam.com"),
        ConnectorScope.ruleScoped("archive"));
    assertThat(config.defaultConnector().name()).isEqualTo("m365");
    assertThat(config.routing().router().route(Domain.of("mail.fabrikam.com")))
        .hasValue(new Route("partner", "recipient domain matches *.fabrikam.com"));
    assertThat(config.routing().router().route(Domain.of("example.org")).orElseThrow().connector()).isEqualTo("m365");
  }

  @Test
  void acceptedAndRemoteDomainsBindWithTheirDefaults() throws Exception {
    RoutingConfig routing = new RoutingFiles(dir).load(ROUTING).routing();

    assertThat(routing.acceptedDomains().domains()).containsExactly(
        AcceptedDomain.of("contoso.com", AcceptedDomainType.AUTHORITATIVE),
        AcceptedDomain.of("*.contoso.com", AcceptedDomainType.INTERNAL_RELAY));
    assertThat(routing.remoteDomains().settingsFor(Domain.of("fabrikam.com"))).isEqualTo(new RemoteDomain(
        DomainPattern.parse("fabrikam.com"), false, true, false, OptionalLong.of(20L * 1024 * 1024)));
    // a file's list replaces the default's, and the '*' entry is put back
    assertThat(routing.remoteDomains().settingsFor(Domain.of("example.org"))).isEqualTo(RemoteDomain.DEFAULT);
  }

  @Test
  void recipientsInsideAcceptedDomainsNeedNoRelayRightOutsideOnesDo() throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(ROUTING);
    List<InboundConnector> inbound = config.listeners().getFirst().inboundConnectors();
    InboundConnector printers = inbound.get(0);
    InboundConnector office = inbound.get(1);

    assertThat(config.routing().mayReceive(printers, Domain.of("contoso.com"))).isTrue();
    assertThat(config.routing().mayReceive(printers, Domain.of("sales.contoso.com"))).isTrue();
    assertThat(config.routing().mayReceive(printers, Domain.of("fabrikam.com"))).isFalse();
    assertThat(config.routing().mayReceive(office, Domain.of("fabrikam.com"))).isTrue();
  }

  @Test
  void theOldSingleConnectorKeyPointsAtTheNewList() throws Exception {
    assertThat(new RoutingFiles(dir).problems("relay.delivery.connector { name = x, type = drop }\n"))
        .containsExactly("relay.conf:8: relay.delivery.connector: unknown key "
            + "(outbound connectors are now a list: move it into relay.outbound-connectors = [ { ... } ])");
  }

  @Test
  void aConnectorServingNothingAndAnEmptyListAreReported() throws Exception {
    assertThat(new RoutingFiles(dir).problems("""
        relay.outbound-connectors = [{ name = "idle", type = drop }]
        """)).containsExactly("relay.conf:8: relay.outbound-connectors[0]: outbound connector 'idle': "
            + "serves no recipient domain and is not rule-scoped, so no mail can reach it "
            + "(add recipient-domains = [\"*\"] to make it the default route, or rule-scoped = true)");
    assertThat(new RoutingFiles(dir).problems("relay.outbound-connectors = []\n"))
        .singleElement().asString().contains("relay.outbound-connectors: must contain at least one connector");
  }
}
