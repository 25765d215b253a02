package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.server.admin.ClusterDirectory;
import relay.server.admin.ClusterPeer;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;
import relay.server.tls.PemKeyMaterial;

/**
 * The admin endpoint over HTTPS ({@code relay.admin.tls}): browsers, scrapers and the command line
 * reach it with TLS only, the command line trusts the configured certificate at whatever address
 * it uses, and one node's cluster view reaches another over HTTPS, checking its certificate against
 * the configured CA and its name.
 */
class AdminTlsTest {

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private TestPki pki;
  private Path ca;
  private Path token;
  private Path configA;
  private TestRelay a;
  private TestRelay b;

  @BeforeEach
  void start() throws Exception {
    pki = new TestPki("Relay Admin Test CA");
    ca = pki.writeCaPem(dir);
    TestPki.ClientFiles localhost = pki.writeClientCertificate(dir, "localhost", null);
    token = Files.writeString(dir.resolve("ops.token"), "ops-token-0123456789abcdef\n");
    TestUpstream upstream = resources.track(TestUpstream.plain());
    upstream.down = true;
    configA = config("a", upstream.port(), localhost);
    Path configB = config("b", upstream.port(), localhost);
    b = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configB), Map.of()))));
    List<ClusterPeer> peers = List.of(new ClusterPeer("relay-b", URI.create("https://localhost:" + b.adminPort())));
    a = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configA), Map.of())),
        new ClusterDirectory() {
          @Override
          public String self() {
            return "relay-a";
          }

          @Override
          public List<ClusterPeer> peers() {
            return peers;
          }
        }));
  }

  private Path config(String name, int upstreamPort, TestPki.ClientFiles certificate) throws IOException {
    return Files.writeString(dir.resolve(name + ".conf"), TestRelay.officeLan(dir.resolve("home-" + name), """
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
          delivery.retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 2d }
          admin {
            tokens = [{ name = "ops", token = "file:%s", role = read }]
            tls { certificate = "%s", key = "%s", trust = "%s" }
          }
        """.formatted(upstreamPort, token, certificate.certificate(), certificate.key(), ca)));
  }

  private HttpClient trusting(Path caFile) throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore store = PemKeyMaterial.trustStore(caFile);
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).build();
  }

  @Test
  void theEndpointSpeaksHttpsOnlyWithItsCertificate() throws Exception {
    HttpResponse<String> health = trusting(ca).send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + a.adminPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));

    // In clear, nothing is answered; and a client that does not trust the CA gets no further than the handshake.
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + a.adminPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + a.adminPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void theCommandLineTrustsTheConfiguredCertificateAtALoopbackAddressItDoesNotName() {
    CommandRun run = CommandRun.of(List.of("queue", "summary", "--cluster", "--config", configA.toString(),
        "--url", "https://127.0.0.1:" + a.adminPort(), "--token-file", token.toString()));
    assertThat(run.exit()).as(run.err()).isZero();
    // Relay B answered too: over HTTPS, its certificate checked against the CA and the name localhost.
    assertThat(run.out()).containsPattern("relay-a\\s+0\\s").containsPattern("relay-b\\s+0\\s")
        .contains("0 message(s) queued on 2 of 2 node(s)");
  }

  @Test
  void aCertificateWithoutItsKeyIsAConfigurationError() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.conf"), TestRelay.officeLan(dir.resolve("home-x"), """
          admin.tls { certificate = "admin.crt" }
        """));
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(broken), Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("relay.admin.tls.key").hasMessageContaining("broken.conf");
  }
}
