package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.server.testing.TestUpstream;

/**
 * The running relay sends delivery status notifications: a recipient refused by a partner's
 * upstream comes back to the sender as an RFC 3464 report, queued and routed like any other message.
 */
class DsnRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();


  private String hocon(TestUpstream internal, TestUpstream partner, String dsn) {
    return TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
            { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["partner.example"] }
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
            dsn { %s }
          }
        """.formatted(internal.port(), partner.port(), dsn));
  }

  private static String send(TestRelay relay, String sender, String... recipients) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      return client.message(sender, "From: " + sender + "\r\nSubject: scan\r\n\r\nScanned page\r\n", recipients);
    }
  }

  @Test
  void recipientRefusedUpstreamComesBackToTheSenderAsADeliveryStatusNotification() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    partner.refuse.put("gone@partner.example", new RejectException(550, "5.1.1 <gone@partner.example>: User unknown"));
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner, ""))));

    assertThat(send(relay, "scanner@corp.example", "gone@partner.example", "ok@partner.example"))
        .startsWith("250 2.0.0 ");

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    TestUpstream.Received notice = internal.messages.getFirst();
    assertThat(notice.from()).isEmpty();
    assertThat(notice.recipients()).containsExactly("scanner@corp.example");
    String text = new String(notice.content(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains("multipart/report; report-type=delivery-status")
        .contains("Reporting-MTA: dns; relay.test")
        .contains("Final-Recipient: rfc822; gone@partner.example")
        .contains("Status: 5.1.1")
        .contains("550 5.1.1 <gone@partner.example>: User unknown")
        .doesNotContain("Final-Recipient: rfc822; ok@partner.example");
    assertThat(partner.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("ok@partner.example"));
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    assertThat(relay.metric("relay_dsn_sent_total", "action=\"failed\"")).contains(1.0);
  }

  @Test
  void reportAddressReceivesTheNotificationOfADeviceSender() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    partner.refuse.put("gone@partner.example", new RejectException(550, "5.1.1 User unknown"));
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir,
        hocon(internal, partner, "report-address = \"postmaster@corp.example\""))));

    send(relay, "scanner@printers.invalid", "gone@partner.example");

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    assertThat(internal.messages.getFirst().recipients()).containsExactly("postmaster@corp.example");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
  }
}
