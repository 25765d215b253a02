package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import relay.core.connector.Secret;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.tls.PemKeyMaterial;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSourceTest {

  private static final String CLIENT_ID = "0b1f2c3d-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "s3cr3t~value-that.must_never-leak";

  private final PemKeyMaterial serverKeys = FakeTokenEndpoint.serverCertificate();
  private TestClock clock;
  private FakeTokenEndpoint endpoint;
  private RecordingListener listener;
  private TokenSource source;

  @BeforeEach
  void start() throws Exception {
    clock = new TestClock(Instant.now());
    endpoint = new FakeTokenEndpoint(clock, serverKeys);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    listener = new RecordingListener();
    TokenClient client = new TokenClient(
        TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock, Duration.ofSeconds(20));
    TokenEndpoint config = new TokenEndpoint(endpoint.authority(), FakeTokenEndpoint.TENANT, CLIENT_ID,
        TokenEndpoint.OUTLOOK_SCOPE, new ClientSecret(Secret.of(SECRET)));
    source = new TokenSource(config, client, clock, RefreshPolicy.DEFAULT, listener);
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  @Test
  void manyCallsAreServedFromOneRequest() throws Exception {
    AccessToken first = source.token();
    for (int i = 0; i < 50; i++) {
      assertThat(source.token()).isEqualTo(first);
    }
    assertThat(endpoint.requests()).isEqualTo(1);
    assertThat(listener.outcomes()).containsExactly(RefreshOutcome.SUCCEEDED);
  }

  @Test
  void tokenIsRenewedFiveMinutesBeforeItExpires() throws Exception {
    endpoint.expiresIn(3600);
    AccessToken first = source.token();

    clock.advance(Duration.ofMinutes(55).minusSeconds(1));
    assertThat(source.token()).isEqualTo(first);
    assertThat(source.remaining()).contains(Duration.ofMinutes(5).plusSeconds(1));

    clock.advance(Duration.ofSeconds(2));
    AccessToken second = source.token();
    assertThat(second).isNotEqualTo(first);
    assertThat(endpoint.requests()).isEqualTo(2);
    assertThat(source.remaining()).contains(Duration.ofSeconds(3600));
  }

  @Test
  void shortLivedTokenIsRenewedAtHalfItsLifetime() throws Exception {
    endpoint.expiresIn(120);
    AccessToken first = source.token();

    clock.advance(Duration.ofSeconds(59));
    assertThat(source.token()).isEqualTo(first);
    clock.advance(Duration.ofSeconds(2));
    assertThat(source.token()).isNotEqualTo(first);
    assertThat(endpoint.requests()).isEqualTo(2);
  }

  @Test
  void twentyConcurrentCallersShareOneRequest() throws Exception {
    endpoint.closeGate();
    List<AccessToken> tokens = concurrently(20, source::token, () -> endpoint.requests() >= 1);

    assertThat(endpoint.requests()).isEqualTo(1);
    assertThat(tokens).hasSize(20).containsOnly(tokens.getFirst());
    assertThat(endpoint.issued()).containsExactly(tokens.getFirst().value().reveal());
  }

  @Test
  void tenSessionsRefusedWithTheSameTokenCauseOneNewRequest() throws Exception {
    AccessToken refused = source.token();
    endpoint.closeGate();

    List<AccessToken> tokens = concurrently(10, () -> {
      source.invalidate(refused);
      return source.token();
    }, () -> endpoint.requests() >= 2);

    assertThat(endpoint.requests()).isEqualTo(2);
    assertThat(tokens).hasSize(10).containsOnly(tokens.getFirst()).doesNotContain(refused);
  }

  @Test
  void invalidatingATokenThatIsNoLongerCachedChangesNothing() throws Exception {
    AccessToken old = source.token();
    source.invalidate(old);
    AccessToken current = source.token();

    source.invalidate(old);

    assertThat(source.token()).isEqualTo(current);
    assertThat(endpoint.requests()).isEqualTo(2);
  }

  @Test
  void failedRenewalKeepsUsingTheValidTokenAndRetriesAfterTheHold() throws Exception {
    endpoint.expiresIn(3600);
    AccessToken first = source.token();
    endpoint.registerSecret(CLIENT_ID, "rotated-by-an-admin");

    clock.advance(Duration.ofMinutes(56));
    assertThat(source.token()).isEqualTo(first);
    clock.advance(Duration.ofSeconds(29));
    assertThat(source.token()).isEqualTo(first);
    assertThat(endpoint.requests()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(2));
    assertThat(source.token()).isEqualTo(first);
    assertThat(endpoint.requests()).isEqualTo(3);
    assertThat(listener.outcomes())
        .containsExactly(RefreshOutcome.SUCCEEDED, RefreshOutcome.REFUSED, RefreshOutcome.REFUSED);
  }

  @Test
  void refusedCredentialIsNotAskedAgainDuringTheHold() throws Exception {
    endpoint.registerSecret(CLIENT_ID, "another-secret");

    assertThatThrownBy(source::token).isInstanceOf(TokenException.class).hasMessageContaining("AADSTS7000215");
    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(source::token)
        .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.isConfigurationProblem()).isTrue())
        .hasMessageContaining("AADSTS7000215");
    assertThat(endpoint.requests()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));
    assertThatThrownBy(source::token).isInstanceOf(TokenException.class);
    assertThat(endpoint.requests()).isEqualTo(2);
    assertThat(source.remaining()).isEmpty();
  }

  @Test
  void logsNeverShowTheSecretOrATokenAndDoNameTheEndpoint() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("relay.server.outbound.oauth");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      AccessToken token = source.token();
      source.invalidate(token);
      endpoint.registerSecret(CLIENT_ID, "another-secret");
      assertThatThrownBy(source::token).isInstanceOf(TokenException.class);

      List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(lines).anyMatch(l -> l.contains("AADSTS7000215") && l.contains(CLIENT_ID));
      assertThat(lines).noneMatch(l -> l.contains(SECRET) || l.contains(token.value().reveal()));
    } finally {
      logger.detachAppender(appender);
    }
  }

  /**
   * Runs {@code n} callers on virtual threads; once {@code held} holds and every caller is parked,
   * opens the endpoint's gate and returns their results.
   */
  private List<AccessToken> concurrently(int n, Callable<AccessToken> call, Callable<Boolean> held)
      throws Exception {
    List<Thread> threads = new CopyOnWriteArrayList<>();
    List<Future<AccessToken>> results = new ArrayList<>();
    ThreadFactory recording = r -> {
      Thread t = Thread.ofVirtual().unstarted(r);
      threads.add(t);
      return t;
    };
    try (ExecutorService executor = Executors.newThreadPerTaskExecutor(recording)) {
      for (int i = 0; i < n; i++) {
        results.add(executor.submit(call));
      }
      await().atMost(Duration.ofSeconds(30)).until(held);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> threads.size() == n && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
      endpoint.open();
      List<AccessToken> tokens = new ArrayList<>();
      for (Future<AccessToken> result : results) {
        tokens.add(result.get());
      }
      return tokens;
    }
  }
}
