package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;

/** The keys of a {@code type = mx} connector. */
class MxBindingTest {

  @TempDir Path dir;

  private static String connector(String keys) {
    return """
        relay.outbound-connectors = [
          { name = "internet", type = mx
            %s
            recipient-domains = ["*"] }
        ]
        """.formatted(keys);
  }

  private OutboundConnector.Mx mx(String keys) throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(connector(keys), Map.of());
    return (OutboundConnector.Mx) config.outboundConnectors().getFirst();
  }

  private List<String> problems(String keys) throws Exception {
    return new RoutingFiles(dir).problems(connector(keys));
  }

  @Test
  void omittedKeysMeanPort25OpportunisticTlsAndTheSystemResolvers() throws Exception {
    OutboundConnector.Mx mx = mx("");

    assertThat(mx.port()).isEqualTo(25);
    assertThat(mx.tls()).isEqualTo(TlsPolicy.of(TlsMode.OPPORTUNISTIC));
    assertThat(mx.resolvers()).isEmpty();
    assertThat(mx.maxConnections()).isEqualTo(20);
    assertThat(mx.maxConnectionsPerDestination()).isEqualTo(5);
    assertThat(mx.dnsTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(mx.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mx.readTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void everyKeyIsBound() throws Exception {
    OutboundConnector.Mx mx = mx("""
        port = 2525, helo = "relay.corp.example", tls = required, connect-timeout = 5s, read-timeout = 1m
        max-connections = 40, max-connections-per-destination = 4
        resolvers = ["10.0.0.53", "10.0.0.54:5353", "[2001:db8::53]:53"], dns-timeout = 3s
        """);

    assertThat(mx).isEqualTo(new OutboundConnector.Mx("internet", TlsPolicy.of(TlsMode.REQUIRED), "relay.corp.example",
        Duration.ofSeconds(5), Duration.ofMinutes(1), 40, 4, 2525,
        List.of(new UpstreamHost("10.0.0.53", 53), new UpstreamHost("10.0.0.54", 5353), new UpstreamHost("2001:db8::53", 53)),
        Duration.ofSeconds(3)));
  }

  @Test
  void resolverMustBeAnIpAddress() throws Exception {
    assertThat(problems("resolvers = [\"dns.example.com\"]"))
        .anySatisfy(p -> assertThat(p).contains("resolvers[0]").contains("is not a DNS server address"));
  }

  @Test
  void hostsAreForeignToMx() throws Exception {
    assertThat(problems("hosts = [\"mail.example.com\"]"))
        .anySatisfy(p -> assertThat(p).contains("hosts").contains("type = smart-host"));
  }

  @Test
  void moreConnectionsPerDestinationThanInAllIsAProblem() throws Exception {
    assertThat(problems("max-connections = 2, max-connections-per-destination = 3"))
        .anySatisfy(p -> assertThat(p).contains("max-connections-per-destination").contains("more than max-connections"));
  }

  @Test
  void mxOnlyKeysAreForeignToSmartHosts() throws Exception {
    List<String> problems = new RoutingFiles(dir).problems("""
        relay.outbound-connectors = [
          { name = "gw", type = smart-host, hosts = ["gw.example.com"], resolvers = ["10.0.0.53"], recipient-domains = ["*"] }
        ]
        """);
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("resolvers").contains("type = mx"));
  }
}
