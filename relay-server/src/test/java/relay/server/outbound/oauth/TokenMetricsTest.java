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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.admin.AdminServer;
import relay.server.admin.MicrometerRelayMetrics;
import relay.server.health.HealthChecks;
import relay.server.outbound.SmtpAuthTransport;
import relay.server.testing.FakeMicrosoft365;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

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
  @TempDir Path dir;

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
  void refusedCredentialIsCountedWithoutShowingTheSecretAndNoExpiryIsShownBeforeATokenExists() throws Exception {
    assertThat(scrape()).doesNotContain("relay_oauth_token_expiry_seconds");
    String wrong = "wrong~secret-value-never-shown";
    assertThatThrownBy(() -> sources.forCredential(credential(wrong)).token()).isInstanceOf(TokenException.class);

    String body = scrape();
    assertThat(body).contains("relay_oauth_token_requests_total{connector=\"m365\",result=\"refused\"} 1.0")
        .doesNotContain("relay_oauth_token_expiry_seconds")
        .doesNotContain(wrong).doesNotContain(SECRET);
  }

  @Test
  void pooledSessionKeepsUsingItsSignInAfterTheTokenExpiredAndTheExpiryReadsZeroNeverNegative() throws Exception {
    endpoint.expiresIn(3600);
    String mailbox = "relay@contoso.com";
    TestPki pki = new TestPki("Fake Microsoft CA");
    try (FakeMicrosoft365 m365 = new FakeMicrosoft365(pki.serverContext("localhost"), endpoint, clock, 2, 100, Duration.ofMinutes(1))) {
      m365.mailbox(mailbox, "printer@contoso.com");
      OutboundConnector.SmtpAuth connector = new OutboundConnector.SmtpAuth("m365", new UpstreamHost("localhost", m365.port()),
          pki.writeCaPem(dir), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), credential(SECRET),
          new SenderIdentities(List.of(new SenderIdentity("*", mailbox, null, null))), Pacing.MICROSOFT_365);
      try (SmtpAuthTransport transport = new SmtpAuthTransport(connector, ReplyClassifier.standard(), new ProtocolLog(), clock, sources)) {
        assertThat(transport.deliver(request())).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(scrape()).contains("relay_oauth_token_expiry_seconds{connector=\"m365\"} 3600.0");

        clock.advance(Duration.ofHours(2));
        assertThat(transport.deliver(request())).as("on the pooled session, signed in an hour before the token expired")
            .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);

        assertThat(endpoint.requests()).as("no token needed for a pooled session").isEqualTo(1);
        assertThat(m365.messages).hasSize(2);
        assertThat(scrape()).contains("relay_oauth_token_expiry_seconds{connector=\"m365\"} 0.0")
            .doesNotContain("relay_oauth_token_expiry_seconds{connector=\"m365\"} -");
      }
    }
  }

  private static DeliveryRequest request() {
    byte[] content = "From: printer@contoso.com\r\nSubject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    return new DeliveryRequest(new MessageId("m" + System.nanoTime()), MailPath.parse("printer@contoso.com"),
        MailParameters.NONE, List.of(Recipient.of(MailPath.parse("user@fabrikam.com"))), new MessageBody() {
          @Override
          public long size() {
            return content.length;
          }

          @Override
          public java.io.InputStream open() {
            return new java.io.ByteArrayInputStream(content);
          }
        }, new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), Instant.parse("2026-03-01T08:00:00Z"));
  }

  @Test
  void heldMessagesAreAGauge() throws Exception {
    metrics.heldMessages(() -> 2);

    assertThat(scrape()).contains("relay_messages_held 2.0");
  }
}
