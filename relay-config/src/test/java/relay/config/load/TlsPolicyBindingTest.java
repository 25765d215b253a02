package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.Secret;
import relay.config.model.RelayConfig;
import relay.core.connector.ClientCertificate;
import relay.core.connector.ExpectedName;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.TlsVersion;

/** The TLS keys of a smart-host connector: tls, tls-names, tls-min-version, ca-file, client-certificate. */
class TlsPolicyBindingTest {

  @TempDir Path dir;

  private static String connector(String tlsKeys) {
    return """
        relay.outbound-connectors = [
          { name = "m365", type = smart-host, hosts = ["contoso-com.mail.protection.outlook.com"]
            %s
            recipient-domains = ["*"] }
        ]
        """.formatted(tlsKeys);
  }

  private TlsPolicy policy(String tlsKeys, Map<String, String> environment) throws Exception {
    RelayConfig config = new RoutingFiles(dir).load(connector(tlsKeys), environment);
    return ((OutboundConnector.SmartHost) config.outboundConnectors().getFirst()).tls();
  }

  private List<String> problems(String tlsKeys) throws Exception {
    return new RoutingFiles(dir).problems(connector(tlsKeys));
  }

  @Test
  void omittedKeysMeanOpportunisticTls12WithoutClientCertificate() throws Exception {
    assertThat(policy("", Map.of())).isEqualTo(TlsPolicy.of(TlsMode.OPPORTUNISTIC));
  }

  @Test
  void verifyBindsNamesMinimumVersionCaFileAndClientCertificateWithItsPasswordFromTheEnvironment() throws Exception {
    TlsPolicy policy = policy("""
        tls = verify, tls-names = ["*.mail.protection.outlook.com"], tls-min-version = TLSv1.3
        ca-file = "tls/ms-roots.pem"
        client-certificate { certificate = "tls/relay.crt", key = "tls/relay.key", key-password = "env:KEY_PASS" }
        """, Map.of("KEY_PASS", "correct horse"));

    Path home = Path.of(policy.caBundle().toString()).getParent().getParent();
    assertThat(policy).isEqualTo(new TlsPolicy(TlsMode.VERIFY, List.of(ExpectedName.of("*.mail.protection.outlook.com")),
        TlsVersion.TLS_1_3, home.resolve("tls/ms-roots.pem"),
        new ClientCertificate(home.resolve("tls/relay.crt"), home.resolve("tls/relay.key"), new Secret("env:KEY_PASS", "correct horse"))));
  }

  @Test
  void requiredAcceptsAClientCertificateWithoutPassword() throws Exception {
    TlsPolicy policy = policy("tls = required, client-certificate { certificate = \"/etc/c.pem\", key = \"/etc/k.pem\" }", Map.of());

    assertThat(policy.mode()).isEqualTo(TlsMode.REQUIRED);
    assertThat(policy.clientCertificate()).isEqualTo(new ClientCertificate(Path.of("/etc/c.pem"), Path.of("/etc/k.pem"), null));
  }

  @Test
  void namesWithoutVerifyAreAProblemRatherThanIgnored() throws Exception {
    assertThat(problems("tls = required, tls-names = [\"mx.example.com\"], ca-file = \"ca.pem\"")).containsExactly(
        "relay.conf:10: relay.outbound-connectors[0].ca-file: only applies with tls = verify (tls = required checks no certificate)"
            + " (set tls = verify, or remove 'ca-file')",
        "relay.conf:10: relay.outbound-connectors[0].tls-names: only applies with tls = verify (tls = required checks no certificate)"
            + " (set tls = verify, or remove 'tls-names')");
  }

  @Test
  void partialLabelWildcardAndUnicodeNamesArePreciseProblems() throws Exception {
    assertThat(problems("tls = verify, tls-names = [\"ok.example.com\", \"w*.example.com\", \"bücher.example\"]"))
        .satisfiesExactly(
            p -> assertThat(p).startsWith("relay.conf:10: relay.outbound-connectors[0].tls-names[1]: 'w*.example.com' is not a wildcard name"),
            p -> assertThat(p).startsWith("relay.conf:10: relay.outbound-connectors[0].tls-names[2]: 'bücher.example' is not ASCII"));
  }

  @Test
  void tls11MinimumIsRefusedWithTheVersionsThatAreAccepted() throws Exception {
    assertThat(problems("tls = verify, tls-min-version = TLSv1.1")).singleElement().asString()
        .contains("tls-min-version: 'TLSv1.1' is not a TLS version Relay accepts upstream").contains("TLSv1.2 or TLSv1.3");
  }

  @Test
  void clientCertificateNeedsTlsAndBothFiles() throws Exception {
    assertThat(problems("tls = none, client-certificate { certificate = \"c.pem\" }")).satisfiesExactlyInAnyOrder(
        p -> assertThat(p).contains("client-certificate.key").contains("required"),
        p -> assertThat(p).contains("client-certificate: needs TLS, but tls = none"));
  }

  @Test
  void keyPasswordWrittenInTheFileIsRefusedWithoutEchoingIt() throws Exception {
    List<String> problems = problems(
        "tls = verify, client-certificate { certificate = \"c.pem\", key = \"k.pem\", key-password = \"hunter2\" }");

    assertThat(problems).singleElement().asString().contains("client-certificate.key-password").doesNotContain("hunter2");
  }
}
