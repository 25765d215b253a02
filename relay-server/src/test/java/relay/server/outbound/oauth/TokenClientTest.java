package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import relay.core.connector.Secret;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.tls.PemKeyMaterial;
import relay.server.tls.SelfSignedCertificate;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenClientTest {

  private static final String CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
  private static final String SECRET = "Qx~8Q~not-a-real-secret.but_long&enough=yes";

  // key generation is slow: once per class
  private final PemKeyMaterial serverKeys = FakeTokenEndpoint.serverCertificate();
  private final PemKeyMaterial app = SelfSignedCertificate.generate("relay-app", Instant.now(), Duration.ofDays(30));
  private final PemKeyMaterial other = SelfSignedCertificate.generate("relay-app", Instant.now(), Duration.ofDays(30));

  private TestClock clock;
  private FakeTokenEndpoint endpoint;
  private TokenClient client;

  @BeforeEach
  void start() throws Exception {
    clock = new TestClock(Instant.now());
    endpoint = new FakeTokenEndpoint(clock, serverKeys);
    client = new TokenClient(
        TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private TokenEndpoint config(ClientCredential credential) {
    return new TokenEndpoint(
        endpoint.authority(), FakeTokenEndpoint.TENANT, CLIENT_ID, TokenEndpoint.OUTLOOK_SCOPE, credential);
  }

  @Test
  void clientSecretGetsATokenValidForExpiresInFromTheRequest() throws Exception {
    endpoint.registerSecret(CLIENT_ID, SECRET);
    endpoint.expiresIn(3599);

    AccessToken token = client.request(config(new ClientSecret(Secret.of(SECRET))));

    assertThat(endpoint.issued()).containsExactly(token.value().reveal());
    assertThat(token.tokenType()).isEqualTo("Bearer");
    assertThat(token.issuedAt()).isEqualTo(clock.instant());
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plusSeconds(3599));
  }

  @Test
  void certificateAssertionSignedWithRs256IsAccepted() throws Exception {
    endpoint.registerCertificate(CLIENT_ID, app.chain().getFirst());

    AccessToken token = client.request(config(new ClientCertificate(app, AssertionAlgorithm.RS256)));

    assertThat(endpoint.issued()).containsExactly(token.value().reveal());
  }

  @Test
  void certificateAssertionSignedWithPs256IsAccepted() throws Exception {
    endpoint.registerCertificate(CLIENT_ID, app.chain().getFirst());

    AccessToken token = client.request(config(new ClientCertificate(app, AssertionAlgorithm.PS256)));

    assertThat(endpoint.issued()).containsExactly(token.value().reveal());
  }

  @Test
  void assertionFromAnotherCertificateIsRefusedAsInvalidClient() throws Exception {
    endpoint.registerCertificate(CLIENT_ID, app.chain().getFirst());

    assertThatThrownBy(() -> client.request(config(new ClientCertificate(other))))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          assertThat(e.isConfigurationProblem()).isTrue();
          assertThat(e.errorReply().orElseThrow().errorCodes()).containsExactly(700027L);
        });
  }

  @Test
  void assertionIsRefusedOnceItsTenMinutesHavePassedAtTheEndpoint() throws Exception {
    endpoint.registerCertificate(CLIENT_ID, app.chain().getFirst());
    // the endpoint's clock runs ahead of the client's by more than lifetime + skew
    TestClock late = new TestClock(clock.instant().minus(Duration.ofMinutes(16)));
    TokenClient lateClient = new TokenClient(
        TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), late, Duration.ofSeconds(10));

    assertThatThrownBy(() -> lateClient.request(config(new ClientCertificate(app))))
        .isInstanceOf(TokenException.class)
        .hasMessageContaining("AADSTS700027");
  }

  @Test
  void wrongSecretSurfacesAadstsCodeAndIdsButNotTheSecret() throws Exception {
    endpoint.registerSecret(CLIENT_ID, "the-registered-one");
    TokenEndpoint config = config(new ClientSecret(Secret.of(SECRET)));

    assertThatThrownBy(() -> client.request(config))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          TokenErrorReply reply = e.errorReply().orElseThrow();
          assertThat(reply.httpStatus()).isEqualTo(401);
          assertThat(reply.error()).isEqualTo("invalid_client");
          assertThat(reply.errorCodes()).containsExactly(7000215L);
          assertThat(reply.traceId()).isNotEmpty();
          assertThat(reply.correlationId()).isNotEmpty();
          assertThat(e.isConfigurationProblem()).isTrue();
          assertThat(e.getMessage())
              .contains("HTTP 401 invalid_client", "AADSTS7000215: Invalid client secret provided",
                  "trace_id=" + reply.traceId(), "correlation_id=" + reply.correlationId(),
                  endpoint.tokenUri().toString())
              .doesNotContain(SECRET)
              .doesNotContain("\n", "\r");
          assertThat(e.toString()).doesNotContain(SECRET);
        });
  }

  @Test
  void unknownClientIdIsRefusedWithItsAadstsCode() throws Exception {
    TokenEndpoint config = config(new ClientSecret(Secret.of(SECRET)));

    assertThatThrownBy(() -> client.request(config))
        .isInstanceOf(TokenException.class)
        .hasMessageContaining("HTTP 400 unauthorized_client")
        .hasMessageContaining("AADSTS700016");
  }

  @Test
  void unknownTenantIsRefused() throws Exception {
    endpoint.registerSecret(CLIENT_ID, SECRET);
    TokenEndpoint config = new TokenEndpoint(endpoint.authority(), "fabrikam.onmicrosoft.com", CLIENT_ID,
        TokenEndpoint.OUTLOOK_SCOPE, new ClientSecret(Secret.of(SECRET)));

    assertThatThrownBy(() -> client.request(config))
        .isInstanceOf(TokenException.class)
        .hasMessageContaining("AADSTS90002");
  }

  @Test
  void endpointWithUntrustedCertificateIsRefusedBeforeAnythingIsSent() throws Exception {
    endpoint.registerSecret(CLIENT_ID, SECRET);
    // Generous timeouts: loading the JDK's own CA list and the handshake can take seconds on a loaded CI machine.
    TokenClient trustingOnlyPublicCas = new TokenClient(
        TokenClient.httpClient(SSLContext.getDefault(), Duration.ofSeconds(60)), clock, Duration.ofSeconds(60));

    assertThatThrownBy(() -> trustingOnlyPublicCas.request(config(new ClientSecret(Secret.of(SECRET)))))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          assertThat(e.getMessage()).startsWith("cannot reach token endpoint").doesNotContain(SECRET);
          assertThat(e.isConfigurationProblem()).isFalse();
        })
        .hasCauseInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    assertThat(endpoint.requests()).isZero();
  }

  @Test
  void nothingDescribesTheSecretTheTokenOrThePrivateKey() throws Exception {
    endpoint.registerSecret(CLIENT_ID, SECRET);
    TokenEndpoint withSecret = config(new ClientSecret(Secret.of(SECRET)));
    AccessToken token = client.request(withSecret);
    TokenEndpoint withCertificate = config(new ClientCertificate(app));
    String keyBase64 = Base64.getEncoder().encodeToString(app.key().getEncoded());

    assertThat(withSecret.toString()).contains(CLIENT_ID).doesNotContain(SECRET);
    assertThat(withSecret.credential().toString()).doesNotContain(SECRET);
    assertThat(Secret.of(SECRET).toString()).doesNotContain(SECRET);
    assertThat(token.toString()).doesNotContain(token.value().reveal());
    assertThat(withCertificate.toString()).contains("CN=relay-app").doesNotContain(keyBase64.substring(0, 40));
  }
}
