package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import relay.core.connector.Secret;
import relay.core.connector.SubmissionCredential;
import relay.server.admin.AdminServer;
import relay.server.health.HealthChecks;
import relay.server.admin.MicrometerRelayMetrics;
import relay.server.testing.FakeTokenEndpoint;

/** Token requests and the time left on the current token, as the relay's /metrics shows them. */
class TokenMetricsTest {

  private static final String CLIENT_ID = "7c1e0f55-1111-2222-3333-444455556666";
  private static final String SECRET = "metrics~secret-that.must_never-show";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);
  private TestClock clock;
  private FakeTokenEndpoint endpoint;
  private AdminServer admin;
  private TokenSources sources;

  @BeforeEach
  void start() throws Exception {
    clock = new TestClock(Instant.now());
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    admin = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, new HealthChecks(List.of(), List.of()));
    TokenClient client = new TokenClient(
        TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock, Duration.ofSeconds(20));
    sources = new TokenSources(client, clock, RefreshPolicy.DEFAULT, metrics.listener("m365"));
    metrics.expiry("m365", sources);
  }

  @AfterEach
  void stop() {
    admin.close();
    endpoint.close();
  }

  private SubmissionCredential.OAuth credential(String secret) {
    return new SubmissionCredential.OAuth(endpoint.authority(), FakeTokenEndpoint.TENANT, CLIENT_ID,
        SubmissionCredential.OAuth.OUTLOOK_SCOPE, Secret.of(secret), null, null);
  }

  private String scrape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void issuedTokenIsCountedAndItsSecondsLeftFollowTheClock() throws Exception {
    endpoint.expiresIn(3600);
    sources.forCredential(credential(SECRET)).token();

    assertThat(scrape())
        .contains("relay_oauth_token_requests_total{connector=\"m365\",result=\"succeeded\"} 1.0")
        .contains("relay_oauth_token_expiry_seconds{connector=\"m365\"} 3600.0");

    clock.advance(Duration.ofMinutes(10));
    assertThat(scrape()).contains("relay_oauth_token_expiry_seconds{connector=\"m365\"} 3000.0");
  }

  @Test
  void refusedCredentialIsCountedWithoutShowingTheSecret() throws Exception {
    String wrong = "wrong~secret-value-never-shown";
    assertThatThrownBy(() -> sources.forCredential(credential(wrong)).token()).isInstanceOf(TokenException.class);

    String body = scrape();
    assertThat(body).contains("relay_oauth_token_requests_total{connector=\"m365\",result=\"refused\"} 1.0")
        .contains("relay_oauth_token_expiry_seconds{connector=\"m365\"} NaN")
        .doesNotContain(wrong).doesNotContain(SECRET);
  }

  @Test
  void heldMessagesAreAGauge() throws Exception {
    metrics.heldMessages(() -> 2);

    assertThat(scrape()).contains("relay_messages_held 2.0");
  }
}
