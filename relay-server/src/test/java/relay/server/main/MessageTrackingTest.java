package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * The running relay's tracking log ({@code tracking.log}, one JSON object per line) tells each
 * message's whole story, and a {@code require-tls} rule decides how the message leaves.
 */
class MessageTrackingTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  /** Every line of the relay's tracking.log (the relay's home is under the test directory). */
  private List<String> lines() {
    return TrackingFiles.lines(dir);
  }

  private List<String> lines(String event) {
    return lines().stream().filter(l -> l.contains("\"event\":\"" + event + "\"")).toList();
  }

  private String hocon(TestUpstream internal, TestUpstream partner) {
    return TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["corp.example"] }
            { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = opportunistic, recipient-domains = ["partner.example"] }
          ]
          rules = [
            {
              name = "Blocked mailbox", priority = 10
              conditions { recipient-address = ["blocked@corp.example"] }
              actions { reject { code = 550, status = "5.7.1", text = "This mailbox does not take relay mail" } }
            }
            {
              name = "Encrypt partner mail", priority = 20
              conditions { recipient-domain = ["partner.example"] }
              actions { require-tls = true }
            }
            {
              name = "Watch scans", priority = 30, mode = test
              conditions { subject-contains = ["scan"] }
              actions { add-header { name = "X-Watched", value = "yes" } }
            }
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        """.formatted(internal.port(), partner.port()));
  }

  private static String send(TestRelay relay, String... recipients) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      return client.message("scanner@corp.example",
          "From: scanner@corp.example\r\nSubject: scan 7\r\n\r\nScanned page\r\n", recipients);
    }
  }

  @Test
  void trackingLinesTellTheWholeStoryReceivedWithEveryRuleDecisionThenRoutedThenDelivered() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.withStartTls(TestPki.selfSignedServerContext("localhost")));
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner))));

    assertThat(send(relay, "alice@corp.example", "bob@partner.example")).startsWith("250 2.0.0");
    await().atMost(PATIENCE).until(() -> lines("delivered").size() == 2);

    assertThat(lines("received")).singleElement().satisfies(received -> assertThat(received)
        .contains("\"sender\":\"<scanner@corp.example>\"")
        .contains("\"recipients\":[\"<alice@corp.example>\",\"<bob@partner.example>\"]")
        .contains("[10] Blocked mailbox: not matched")
        .contains("[20] Encrypt partner mail: matched for <bob@partner.example>")
        .contains("[30] Watch scans: would match"));
    List<String> routed = lines("routed");
    assertThat(routed).hasSize(2);
    String toInternal = routed.stream().filter(l -> l.contains("\"connector\":\"internal\"")).findFirst().orElseThrow();
    String toPartner = routed.stream().filter(l -> l.contains("\"connector\":\"partner\"")).findFirst().orElseThrow();
    assertThat(toInternal).contains("\"recipients\":[\"<alice@corp.example>\"]").contains("\"requireTls\":false");
    assertThat(toPartner).contains("\"recipients\":[\"<bob@partner.example>\"]").contains("\"requireTls\":true");

    // Each delivery names the upstream's reply and the hop as separate fields: the partner's over
    // TLS (opportunistic: the certificate was not verified), the internal one in clear text.
    assertThat(lines("delivered")).anySatisfy(d -> assertThat(d).contains("\"id\":\"" + id(toInternal) + "\"")
            .contains("\"connector\":\"internal\"").contains("\"recipient\":\"<alice@corp.example>\"")
            .contains("\"code\":250,").contains("\"cause\":null")
            .contains("\"remote_host\":\"localhost\",\"remote_ip\":\"127.0.0.1\"").contains("\"tls\":null"))
        .anySatisfy(d -> assertThat(d).contains("\"id\":\"" + id(toPartner) + "\"")
            .contains("\"connector\":\"partner\"").contains("\"recipient\":\"<bob@partner.example>\"")
            .contains("\"code\":250,").contains("\"remote_host\":\"localhost\"")
            .containsPattern("\"tls\":\\{\"version\":\"TLSv1\\.[23]\",\"cipher\":\"TLS_[A-Z0-9_]+\",\"verified\":null}"));
    // Story order: received before routed before delivered.
    List<String> all = lines();
    assertThat(all.indexOf(lines("received").getFirst())).isLessThan(all.indexOf(toInternal));
    assertThat(all.indexOf(toPartner)).isLessThan(all.indexOf(lines("delivered").getFirst()));
    assertThat(partner.messages).singleElement().satisfies(m -> assertThat(m.tls()).isTrue());
  }

  @Test
  void requireTlsRuleHoldsTheMessageBackWhenThePartnerOffersNoStartTlsAndLetsOtherMailThrough() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner))));

    assertThat(send(relay, "alice@corp.example", "bob@partner.example")).startsWith("250 2.0.0");

    await().atMost(PATIENCE).until(() -> lines("deferred").size() >= 2);
    assertThat(lines("deferred")).allSatisfy(d -> assertThat(d)
        .contains("\"recipient\":\"<bob@partner.example>\"").contains("\"code\":null")
        .contains("\"cause\":\"tls-unavailable\"")
        .containsPattern("\"reason\":\"[^\"]*requires TLS[^\"]*STARTTLS not offered")
        .contains("\"remote_host\":null"));
    assertThat(partner.messages).isEmpty();
    assertThat(internal.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("alice@corp.example"));
    assertThat(relay.queuedFiles()).isEqualTo(1);
  }

  private static String id(String line) {
    Matcher m = ID.matcher(line);
    assertThat(m.find()).as("an id in %s", line).isTrue();
    return m.group(1);
  }
}
