package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import relay.server.testing.FakeMicrosoft365;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/**
 * The whole relay with an {@code smtp-auth} connector, configured from HOCON: devices send plain
 * SMTP into a running {@link RelayServer}, which submits through the fake Microsoft 365 (STARTTLS,
 * XOAUTH2 with tokens from the fake Entra ID endpoint) with Microsoft's limits scaled down.
 */
class SmtpAuthRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String CLIENT_ID = "7c1f2c3d-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "relay~test-secret.that_never-leaks";
  private static final String MAILBOX = "relay@contoso.com";

  @TempDir Path dir;
  private final InstantSource clock = InstantSource.system();
  private final Logger attemptLog = (Logger) LoggerFactory.getLogger("relay.core.schedule.DeliveryAttempt");
  private final ListAppender<ILoggingEvent> attempts = new ListAppender<>();
  private FakeTokenEndpoint endpoint;
  private FakeMicrosoft365 m365;
  private TestRelay relay;

  @BeforeEach
  void start() throws Exception {
    attempts.start();
    attemptLog.addAppender(attempts);
    TestPki pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    // Tokens live 2 seconds and idle sessions are dropped after 1: a later message must sign in again.
    endpoint.expiresIn(2);
    // Microsoft's limits scaled down: 2 sessions and 5 messages a second per mailbox.
    m365 = new FakeMicrosoft365(pki.serverContext("localhost"), endpoint, clock, 2, 5, Duration.ofSeconds(1),
        Duration.ofSeconds(1));
    m365.mailbox(MAILBOX, "hr@contoso.com", "sales@contoso.com", "scanner@contoso.com");
    Path secretFile = Files.writeString(dir.resolve("m365-secret"), SECRET);
    relay = TestRelay.start(TestRelay.configFile(dir, """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525, starttls = false
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
          outbound-connectors = [{
            name = "m365", type = smtp-auth, host = "localhost", port = %d, ca-file = "%s"
            oauth {
              authority = "%s", tenant = "%s", client-id = "%s"
              client-secret = "file:%s", ca-file = "%s"
            }
            identities = [
              { sender = "*@contoso.com", mailbox = "%s" }
              { sender = "*@localhost", mailbox = "%s", rewrite-to = "scanner@contoso.com" }
              { sender = "*", mailbox = "%s" }
            ]
            # Below the upstream's 5 a second, so that latency never pushes Relay over it.
            pacing { max-sessions = 2, messages-per-minute = 4, message-window = 1s, throttle-pause = 1s, max-wait = 10s }
            recipient-domains = ["*"]
          }]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        }
        """.formatted(dir.resolve("home"), m365.port(), pki.writeCaPem(dir), endpoint.authority(), FakeTokenEndpoint.TENANT,
        CLIENT_ID, secretFile, endpoint.writeTrustPem(dir), MAILBOX, MAILBOX, MAILBOX)));
  }

  @AfterEach
  void stop() {
    attemptLog.detachAppender(attempts);
    if (relay != null) {
      relay.close();
    }
    m365.close();
    endpoint.close();
  }

  @Test
  void burstFromSeveralSendersIsDeliveredWithinEveryLimitAndTheTokenIsRenewedAcrossExpiry() throws Exception {
    String[] senders = {"hr@contoso.com", "sales@contoso.com", "scanner@localhost"};
    List<Future<MailClient.Sent>> sent = new ArrayList<>();
    try (ExecutorService devices = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 12; i++) {
        String sender = senders[i % senders.length];
        String recipient = "user" + i + "@fabrikam.com";
        sent.add(devices.submit(() -> new MailClient(relay.smtpPort(), Optional.empty()).sendFrom(sender, recipient)));
      }
      for (Future<MailClient.Sent> s : sent) {
        assertThat(s.get().lastReply()).startsWith("250 2.0.0");
      }
    }
    await().atMost(PATIENCE).until(() -> m365.messages.size() == 12);

    String first = endpoint.issued().getFirst();
    // Once the first token has expired and the upstream has dropped the idle sessions, the next
    // message needs a new sign-in, and so a new token.
    await().atMost(PATIENCE).until(() -> !endpoint.isValid(first) && m365.openSessions() == 0);
    new MailClient(relay.smtpPort(), Optional.empty()).sendFrom("hr@contoso.com", "late@fabrikam.com");

    await().atMost(PATIENCE).until(() -> m365.messages.size() == 13);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
    assertThat(m365.violations.get()).isZero();
    assertThat(m365.mostSessions.get()).isLessThanOrEqualTo(2);
    assertThat(m365.authFailures.get()).as("never signs in with an expired token").isZero();
    assertThat(endpoint.requests()).isGreaterThanOrEqualTo(2);
    assertThat(m365.messages).extracting(FakeMicrosoft365.Submitted::from)
        .contains("hr@contoso.com", "sales@contoso.com", "scanner@contoso.com").doesNotContain("scanner@localhost");
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"delivered\"")).hasValue(13.0);
    // The mailbox's use of its limits (the census behind these gauges is at most 10 s old).
    String mailbox = "mailbox=\"" + MAILBOX + "\"";
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        relay.metric("relay_mailbox_recipients_per_day", "connector=\"m365\"", mailbox)).hasValue(13.0));
    assertThat(relay.metric("relay_mailbox_recipients_per_day_limit", "connector=\"m365\"", mailbox)).hasValue(10_000.0);
    assertThat(relay.metric("relay_mailbox_sessions_limit", "connector=\"m365\"", mailbox)).hasValue(2.0);
    assertThat(relay.metric("relay_oauth_token_expiry_seconds", "connector=\"m365\"")).hasValueSatisfying(
        seconds -> assertThat(seconds).isBetween(0.0, 2.0));
  }

  @Test
  void senderTheMailboxMayNotSendAsIsHeldVisiblyNotBounced() throws Exception {
    endpoint.expiresIn(3600); // a token that outlives the test, for the connector state below
    String reply = new MailClient(relay.smtpPort(), Optional.empty()).sendFrom("ceo@fabrikam.com", "a@fabrikam.com").lastReply();
    String id = reply.substring(reply.lastIndexOf(' ') + 1);

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(relay.metric("relay_messages_held")).hasValue(1.0);
      assertThat(relay.metric("relay_queue_messages", "connector=\"m365\"", "state=\"held\"")).hasValue(1.0);
      assertThat(attempts.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(line -> assertThat(line)
          .contains(id, "HELD", "550 5.7.60", MAILBOX));
    });
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).isEmpty();
    assertThat(relay.queuedFiles()).isEqualTo(1);
    assertThat(m365.messages).isEmpty();
    assertThat(attempts.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(SECRET));

    // The operator sees why on the admin endpoint, and releases it for another attempt.
    assertThat(relay.api("GET", "/api/queue?state=held").body()).contains(id, "a@fabrikam.com", "550 5.7.60");
    assertThat(relay.admin("/api/queue?state=held").statusCode()).as("no token").isEqualTo(401);
    assertThat(relay.api("GET", "/api/connectors").body()).as("the connector's token, signed in with")
        .containsPattern("\"tokenExpiresIn\":[1-9][0-9]*");
    assertThat(relay.api("POST", "/api/queue/NOSUCHID/release").statusCode()).isEqualTo(404);
    assertThat(relay.api("POST", "/api/queue/" + id + "/release").statusCode()).isEqualTo(200);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(attempts.list)
        .filteredOn(e -> e.getFormattedMessage().contains(id) && e.getFormattedMessage().contains("HELD"))
        .hasSizeGreaterThanOrEqualTo(2));
    assertThat(m365.messages).isEmpty();
  }
}
