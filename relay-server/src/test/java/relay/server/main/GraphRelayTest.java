package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import relay.core.connector.OutboundConnector;
import relay.server.testing.FakeGraph;

/**
 * The whole relay with a {@code graph} connector, configured from HOCON: devices send plain SMTP
 * into a running {@link RelayServer}, which sends through the fake Microsoft Graph (HTTPS with the
 * test CA, app-only tokens from the fake Entra ID endpoint) with Graph's limits scaled down.
 */
class GraphRelayTest extends GraphRelayFixture {

  @Test
  void burstFromSeveralSendersIsDeliveredWithinThePerMailboxLimits() throws Exception {
    String[] senders = {HR, "sales@contoso.com", "scanner@contoso.com"};
    List<Future<byte[]>> sent = new ArrayList<>();
    try (ExecutorService devices = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 12; i++) {
        String sender = senders[i % senders.length];
        String to = "user" + i + "@fabrikam.com";
        sent.add(devices.submit(() -> send(sender, List.of(to), List.of(to), 10)));
      }
      for (Future<byte[]> s : sent) {
        s.get();
      }
    }
    await().atMost(PATIENCE).until(() -> graph.sent.size() == 12);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
    assertThat(graph.throttled.get()).as("never over 5 a second per mailbox").isZero();
    assertThat(graph.overConcurrency.get()).isZero();
    assertThat(graph.mostAtOnce.get()).isLessThanOrEqualTo(2);
    assertThat(graph.sent).extracting(FakeGraph.Sent::mailbox).containsOnly(HR, MAILBOX);
    assertThat(graph.sent).filteredOn(s -> s.mailbox().equals(HR)).hasSize(4);
    assertThat(graph.sent).extracting(FakeGraph.Sent::clientId).containsOnly(CLIENT_ID);
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"delivered\"")).hasValue(12.0);
  }

  @Test
  void theBytesAreSentAsReceivedWithABccHeaderForHiddenRecipients() throws Exception {
    byte[] content = send(HR, List.of("boss@fabrikam.com"),
        List.of("boss@fabrikam.com", "audit@fabrikam.com", "archive@contoso.com"), 100);

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    byte[] mime = graph.sent.getFirst().mime();
    String text = new String(mime, StandardCharsets.UTF_8);
    assertThat(text).startsWith("Bcc: audit@fabrikam.com,\r\n archive@contoso.com\r\nReceived: from ");
    // After the Bcc header and Relay's Received header: the client's bytes, unchanged.
    assertThat(Arrays.copyOfRange(mime, mime.length - content.length, mime.length)).isEqualTo(content);
    assertThat(graph.sent.getFirst().mailbox()).isEqualTo(HR);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
  }

  @Test
  void aHeaderAddressOutsideTheEnvelopeIsHeldNotSent() throws Exception {
    send(HR, List.of("boss@fabrikam.com", "other@fabrikam.com"), List.of("boss@fabrikam.com"), 10);

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(relay.metric("relay_messages_held")).hasValue(1.0);
      assertThat(attemptLines()).anySatisfy(line -> assertThat(line).contains("HELD", "other@fabrikam.com"));
    });
    assertThat(graph.requests.get()).isZero();
  }

  @Test
  void sendAsDeniedAndMissingMailSendAreHeldWithWhatGraphSaid() throws Exception {
    send("ceo@fabrikam.com", List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(attemptLines()).anySatisfy(line -> assertThat(line)
        .contains("HELD", "550 5.7.60", "Graph HTTP 403 ErrorSendAsDenied", MAILBOX)));

    graph.answerNext(403, "ErrorAccessDenied", "Access to OData is disabled: application access policy.", null);
    send(HR, List.of("b@fabrikam.com"), List.of("b@fabrikam.com"), 10);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(attemptLines()).anySatisfy(line -> assertThat(line)
        .contains("HELD", "530 5.7.0", "Graph HTTP 403 ErrorAccessDenied: Access to OData is disabled")));
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_messages_held")).hasValue(2.0));
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).isEmpty();
    assertThat(graph.sent).isEmpty();
    assertThat(attemptLines()).allSatisfy(line -> assertThat(line).doesNotContain(SECRET));
  }

  @Test
  void aRefusedTokenIsReplacedOnceAndTheMessageGoesInTheSameAttempt() throws Exception {
    graph.answerNext(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", null);
    send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    assertThat(endpoint.requests()).isEqualTo(2);
    // Graph has the message a moment before Relay has recorded the outcome.
    await().atMost(PATIENCE).untilAsserted(() ->
        assertThat(relay.metric("relay_delivery_attempts_total", "result=\"delivered\"")).hasValue(1.0));
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"transient\"")).isEmpty();
  }

  @Test
  void throttlingAndServerErrorsAreRetriedNeverBounced() throws Exception {
    graph.answerNext(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "1");
    graph.answerNext(503, "ServiceUnavailable", "Service is temporarily unavailable.", null);
    send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    assertThat(attemptLines()).anySatisfy(line -> assertThat(line)
        .contains("451 4.3.2", "Graph HTTP 429 ApplicationThrottled", "Retry-After 1s"));
    assertThat(attemptLines()).anySatisfy(line -> assertThat(line).contains("451 4.4.0", "Graph HTTP 503"));
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).isEmpty();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
  }

  @Test
  void invalidRecipientsFailPermanently() throws Exception {
    graph.invalidRecipient("nobody@fabrikam.com");
    send(HR, List.of("nobody@fabrikam.com"), List.of("nobody@fabrikam.com"), 10);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(attemptLines()).anySatisfy(line -> assertThat(line)
        .contains("nobody@fabrikam.com", "550 5.1.1", "Graph HTTP 400 ErrorInvalidRecipients")));
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_delivery_attempts_total",
        "result=\"permanent\"")).hasValueSatisfying(n -> assertThat(n).isGreaterThanOrEqualTo(1.0)));
    assertThat(graph.sent).filteredOn(s -> !s.mailbox().equals(POSTMASTER)).isEmpty();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(graph.sent).singleElement()
        .satisfies(dsn -> assertThat(new String(dsn.mime(), StandardCharsets.UTF_8))
            .contains("To: hr@contoso.com", "Status: 5.1.1", "ErrorInvalidRecipients")));
  }

  @Test
  void aMessageTooLargeForOneGraphRequestIsRefusedAtSmtpTime() throws Exception {
    long limit = OutboundConnector.Graph.maxAcceptedBytes();
    assertThatThrownBy(() -> send(HR, List.of("big@fabrikam.com"), List.of("big@fabrikam.com"), (int) limit + 10))
        .isInstanceOf(jakarta.mail.MessagingException.class)
        .hasMessageContaining("552 5.3.4 Message too big for this route: at most " + limit + " bytes");
    assertThat(relay.queuedFiles()).isZero();

    // The body is quoted-printable (its line is too long for SMTP), which grows it by about 4 %.
    send(HR, List.of("fits@fabrikam.com"), List.of("fits@fabrikam.com"), (int) (limit * 0.9));
    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    assertThat(graph.requests.get()).as("the refused message never reached Graph").isEqualTo(1);
  }

  @Test
  void aQueuedMessageTooLargeForGraphIsBouncedOnceWithADsnSentAsTheNotificationMailbox() throws Exception {
    // Queued while its route went to an upstream without Graph's cap (here: a smart host that is down),
    // then the connector became a graph connector: the message can never go and must not wait forever.
    relay.close();
    int down;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      down = closed.getLocalPort();
    }
    TestRelay before = TestRelay.start(TestRelay.configFile(dir, """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525, starttls = false
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
          outbound-connectors = [{ name = "graph", type = smart-host, hosts = ["127.0.0.1:%d"], recipient-domains = ["*"] }]
          delivery { retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h } }
        }
        """.formatted(dir.resolve("home"), down)));
    try {
      send(HR, List.of("big@fabrikam.com"), List.of("big@fabrikam.com"), 3 * 1024 * 1024 + 10, before);
    } finally {
      before.close();
    }
    relay = TestRelay.start(graphConfig());

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    FakeGraph.Sent dsn = graph.sent.getFirst();
    String text = new String(dsn.mime(), StandardCharsets.UTF_8);
    assertThat(dsn.mailbox()).isEqualTo(POSTMASTER);
    assertThat(text).contains("From: Mail Delivery System <postmaster@contoso.com>", "To: hr@contoso.com",
        "Status: 5.3.4", "Action: failed", "Graph's sendMail limit");
    assertThat(text).doesNotContain("MAILER-DAEMON@relay.test>\r\nTo:");
    // Counted on disk: after a restart the spool gauge can race recovery (seen in SmartHostRelayTest: -1).
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.queuedFiles()).isZero());
    assertThat(graph.sent).hasSize(1);
    assertThat(attemptLines()).anySatisfy(line -> assertThat(line).contains("big@fabrikam.com", "552 5.3.4"));
  }

  @Test
  void retryAfterRestsTheMailboxAtLeastThatLongThenTheMessageGoes() throws Exception {
    // throttle-pause is 1s and the first retry comes after 200ms: only Retry-After can hold it for 3s.
    graph.answerNext(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "3");
    java.time.Instant before = clock.instant();
    send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    assertThat(Duration.between(before, graph.sent.getFirst().at())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).isEmpty();
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"transient\"")).hasValue(1.0);
    assertThat(graph.requests.get()).as("nothing was sent to the resting mailbox").isEqualTo(2);
  }

  @Test
  void moreRecipientsThanOneRequestMayCarryGoInSeveralRequests() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      many.add("r" + i + "@fabrikam.com");
    }
    send(HR, List.of(), many, 10);

    await().atMost(PATIENCE).until(() -> graph.sent.size() == 2);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
    assertThat(graph.mostRecipients.get()).isEqualTo(500);
    List<String> bcc = new ArrayList<>();
    for (FakeGraph.Sent sent : graph.sent) {
      MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(sent.mime()));
      for (Address a : m.getRecipients(Message.RecipientType.BCC)) {
        bcc.add(((InternetAddress) a).getAddress());
      }
    }
    assertThat(bcc).containsExactlyInAnyOrderElementsOf(many);
    assertThat(graph.throttled.get()).isZero();
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"delivered\"")).hasValue(501.0);
  }

  @Test
  void tooManyRecipientsNamedInTheHeadersAreHeldNotSentTwice() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      many.add("r" + i + "@fabrikam.com");
    }
    send(HR, List.of("r0@fabrikam.com"), many, 10);

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(relay.metric("relay_messages_held")).hasValue(1.0);
      assertThat(attemptLines()).anySatisfy(line -> assertThat(line)
          .contains("HELD", "501 recipients are more than the 500 one request may carry"));
    });
    assertThat(graph.requests.get()).isZero();
  }
}
