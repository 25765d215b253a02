package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.RejectException;
import relay.config.model.RelayConfig;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * The whole chain with a smart host: Angus Mail → a running {@link RelayServer} (configuration file,
 * file spool, scheduler, SMTP transport) → SubEthaSMTP as the upstream.
 */
class SmartHostRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();


  /**
   * A LAN relay for 127.0.0.1 forwarding to the upstream, retrying quickly and without jitter. The
   * listener offers STARTTLS only when the client side of the test needs it: generating its RSA key
   * is the slowest part of a start.
   */
  private RelayConfig config(TestUpstream upstream, boolean starttls, String tls) throws Exception {
    return TestRelay.configFile(dir, """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan"
            address = "127.0.0.1"
            port = 2525
            starttls = %b
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
          outbound-connectors = [
            { name = "smart", type = smart-host, hosts = ["localhost:%d"], %s, recipient-domains = ["*"] }
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        }
        """.formatted(dir.resolve("home"), starttls, upstream.port(), tls));
  }

  private RelayConfig plainConfig(TestUpstream upstream) throws Exception {
    return config(upstream, false, "tls = none");
  }

  @Test
  void messageCrossesBothHopsOverVerifiedStartTlsByteExactBelowTheReceivedHeader() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = resources.track(TestUpstream.withStartTls(pki.serverContext("localhost")));
    TestRelay relay = resources.track(TestRelay.start(
        config(upstream, true, "tls = verify, ca-file = \"" + pki.writeCaPem(dir) + "\"")));

    MailClient.Sent sent = new MailClient(relay.smtpPort(), Optional.of(relay.selfSignedCertificate()))
        .send("boss@corp.example", "ext@partner.example");

    assertThat(sent.lastReply()).matches("250 2\\.0\\.0 Ok queued as \\S+");
    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 1);
    TestUpstream.Received received = upstream.messages.getFirst();
    assertThat(received.tls()).isTrue();
    assertThat(received.from()).isEqualTo(MailClient.SENDER);
    assertThat(received.recipients()).containsExactly("boss@corp.example", "ext@partner.example");
    int headerEnd = endOfFirstHeader(received.content());
    assertThat(new String(received.content(), 0, headerEnd, StandardCharsets.US_ASCII))
        .startsWith("Received: from " + MailClient.HELO + " ([127.0.0.1])\r\n\tby relay.test (Relay) with ESMTPS id ");
    assertThat(Arrays.copyOfRange(received.content(), headerEnd, received.content().length))
        .isEqualTo(sent.content());
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
  }

  @Test
  void upstreamDownAtFirstIsDeliveredOnARetryOnceItIsUp() throws Exception {
    TestUpstream upstream = resources.track(TestUpstream.plain());
    upstream.down = true;
    TestRelay relay = resources.track(TestRelay.start(plainConfig(upstream)));

    new MailClient(relay.smtpPort(), Optional.empty()).send("boss@corp.example");

    await().atMost(PATIENCE).untilAsserted(() ->
        assertThat(relay.metric("relay_delivery_attempts_total", "result=\"transient\"")).hasValueSatisfying(
            n -> assertThat(n).isGreaterThanOrEqualTo(1.0)));
    assertThat(relay.metric("relay_spool_messages")).hasValue(1.0);
    assertThat(relay.queuedFiles()).isEqualTo(1);
    assertThat(upstream.messages).isEmpty();

    upstream.down = false;

    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 1);
    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(relay.metric("relay_delivery_attempts_total", "result=\"delivered\"")).hasValue(1.0);
      assertThat(relay.metric("relay_spool_messages")).hasValue(0.0);
      assertThat(relay.queuedFiles()).isZero();
    });
    assertThat(upstream.messages).hasSize(1);
  }

  @Test
  void recipientRefusedWith550IsFailedFinallyLoggedAndRemovedAndOnlyTheNoticeGoesOut() throws Exception {
    TestUpstream upstream = resources.track(TestUpstream.plain());
    upstream.refuse.put("gone@corp.example", new RejectException(550, "5.1.1 No such user"));
    Logger attemptLog = (Logger) LoggerFactory.getLogger("relay.core.schedule.DeliveryAttempt");
    List<String> logLines = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        logLines.add(event.getFormattedMessage());
      }
    };
    appender.start();
    attemptLog.addAppender(appender);
    resources.track(() -> attemptLog.detachAppender(appender));
    TestRelay relay = resources.track(TestRelay.start(plainConfig(upstream)));

    String reply = new MailClient(relay.smtpPort(), Optional.empty()).send("gone@corp.example").lastReply();
    String id = reply.substring(reply.lastIndexOf(' ') + 1);

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).hasValue(1.0);
      assertThat(relay.metric("relay_spool_messages")).hasValue(0.0);
      assertThat(relay.queuedFiles()).isZero();
      assertThat(logLines).anySatisfy(line -> assertThat(line)
          .contains(id, "gone@corp.example", "FAILED permanently", "550 5.1.1 No such user"));
    });
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"transient\"")).isEmpty();
    // The only message the upstream gets is the delivery status notification to the sender.
    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 1);
    assertThat(upstream.messages).singleElement().satisfies(notice -> {
      assertThat(notice.from()).isEmpty();
      assertThat(notice.recipients()).containsExactly(MailClient.SENDER);
      assertThat(new String(notice.content(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("Final-Recipient: rfc822; gone@corp.example", "550 5.1.1 No such user");
    });
  }

  @Test
  void messageQueuedBeforeARestartIsDeliveredByTheNextRelayOnTheSameHome() throws Exception {
    TestUpstream upstream = resources.track(TestUpstream.plain());
    upstream.down = true;
    RelayConfig config = plainConfig(upstream);
    TestRelay first = resources.track(TestRelay.start(config));
    MailClient.Sent sent = new MailClient(first.smtpPort(), Optional.empty()).send("boss@corp.example");
    await().atMost(PATIENCE).untilAsserted(() ->
        assertThat(first.metric("relay_delivery_attempts_total", "result=\"transient\"")).isPresent());
    first.close();
    assertThat(first.queuedFiles()).isEqualTo(1);
    assertThat(upstream.messages).isEmpty();
    upstream.down = false;

    TestRelay second = resources.track(TestRelay.start(config));

    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 1);
    byte[] content = upstream.messages.getFirst().content();
    assertThat(Arrays.copyOfRange(content, endOfFirstHeader(content), content.length)).isEqualTo(sent.content());
    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(second.metric("relay_spool_messages")).hasValue(0.0);
      assertThat(second.queuedFiles()).isZero();
    });
  }

  /** Index just past the first (folded) header field: the CRLF not followed by a space or tab. */
  static int endOfFirstHeader(byte[] content) {
    for (int i = 0; i + 2 < content.length; i++) {
      if (content[i] == '\r' && content[i + 1] == '\n' && content[i + 2] != ' ' && content[i + 2] != '\t') {
        return i + 2;
      }
    }
    throw new AssertionError("no complete header field in the message");
  }
}
