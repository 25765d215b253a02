package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.server.testing.TestUpstream;

/**
 * What a delivery learns travels as values from the socket to the tracking log and the delivery
 * status notification: a real upstream's refusal shows up as its code, enhanced status, text and
 * host in {@code tracking.log} and as {@code Remote-MTA} and {@code Diagnostic-Code} in the
 * notice; an upstream that never answers shows up as a local cause, with no remote MTA named.
 */
class DeliveryReportRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private String hocon(int internalPort, int partnerPort, String partnerRetry) {
    return TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
            { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = none,
              recipient-domains = ["partner.example"], retry { %s } }
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        """.formatted(internalPort, partnerPort, partnerRetry));
  }

  private static void send(TestRelay relay, String... recipients) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@corp.example",
          "From: scanner@corp.example\r\nSubject: scan\r\n\r\nScanned page\r\n", recipients)).startsWith("250 2.0.0 ");
    }
  }

  private List<String> tracked(String event) {
    return TrackingFiles.lines(dir).stream().filter(l -> l.contains("\"event\":\"" + event + "\"")).toList();
  }

  @Test
  void upstreamRefusalIsTrackedAsFieldsAndBouncedNamingTheRemoteMtaAndItsReply() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    partner.refuse.put("gone@partner.example", new RejectException(550, "5.1.1 <gone@partner.example>: User unknown"));
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir,
        hocon(internal.port(), partner.port(), "max-lifetime = 1h"))));

    send(relay, "gone@partner.example", "ok@partner.example");

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1 && tracked("delivered").size() == 2);
    assertThat(tracked("failed")).singleElement().satisfies(line -> assertThat(line)
        .contains("\"connector\":\"partner\",\"recipient\":\"<gone@partner.example>\"")
        .contains("\"code\":550,\"status\":\"5.1.1\",\"reply\":\"<gone@partner.example>: User unknown\"")
        .contains("\"cause\":null,\"reason\":null")
        .contains("\"remote_host\":\"localhost\",\"remote_ip\":\"127.0.0.1\",\"login\":null,\"tls\":null"));
    String notice = new String(internal.messages.getFirst().content(), StandardCharsets.UTF_8);
    assertThat(notice).contains("""
        Final-Recipient: rfc822; gone@partner.example\r
        Action: failed\r
        Status: 5.1.1\r
        Remote-MTA: dns; localhost\r
        Diagnostic-Code: smtp; 550 5.1.1 <gone@partner.example>: User unknown\r
        """).contains("localhost said: 550 5.1.1 <gone@partner.example>: User unknown");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
  }

  @Test
  void refusedConnectionsAreTrackedAsALocalCauseAndExpireIntoANoticeWithoutRemoteMta() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    int closed = closedPort();
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir,
        hocon(internal.port(), closed, "initial-delay = 100ms, multiplier = 1.0, max-delay = 100ms, max-lifetime = 2s"))));

    send(relay, "bob@partner.example");

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    assertThat(tracked("deferred")).isNotEmpty().allSatisfy(line -> assertThat(line)
        .contains("\"recipient\":\"<bob@partner.example>\"")
        .contains("\"code\":null,\"status\":null,\"reply\":null,\"cause\":\"connection-failed\"")
        .contains("\"reason\":\"localhost:" + closed + ": ")
        .contains("\"remote_host\":null,\"remote_ip\":null"));
    // tracking.log is written by its own thread: the notice can reach the upstream before the line is on disk.
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(tracked("expired")).singleElement()
        .satisfies(line -> assertThat(line).contains("\"cause\":\"connection-failed\"")));
    String notice = new String(internal.messages.getFirst().content(), StandardCharsets.UTF_8);
    assertThat(notice)
        .contains("Final-Recipient: rfc822; bob@partner.example\r\nAction: failed\r\nStatus: 4.4.1\r\n")
        .contains("Diagnostic-Code: X-Relay; localhost:" + closed + ": ")
        .doesNotContain("Remote-MTA");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
