package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * The running relay's tracking log ({@code tracking.log}, one JSON object per line) tells each
 * message's whole story (with the inbound session's TLS), and a {@code require-tls} rule decides how
 * the message leaves.
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
    // Story order, part by part: received, then the part routed, then the part delivered. Each part
    // is delivered on its own thread, so the two deliveries come in either order: each is compared
    // with its own part's routing only.
    List<String> all = lines();
    int received = all.indexOf(lines("received").getFirst());
    for (String route : routed) {
      String delivered = lines("delivered").stream().filter(d -> d.contains("\"id\":\"" + id(route) + "\""))
          .findFirst().orElseThrow();
      assertThat(received).isLessThan(all.indexOf(route));
      assertThat(all.indexOf(route)).as("routed before delivered: %s", route).isLessThan(all.indexOf(delivered));
    }
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

  @Test
  void receivedNamesTheInboundTlsOfStartTlsAndImplicitTlsSessions() throws Exception {
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [
            { name = "lan", address = "127.0.0.1", port = 2525
              inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }] }
            { name = "smtps", address = "127.0.0.1", port = 2465, implicit-tls = true
              inbound-connectors = [{ name = "secure", client-networks = ["127.0.0.1/32"], relay = true }] }
          ]
        }
        """.formatted(dir.resolve("home")))));
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);

    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), relay.server().smtpAddresses().get(0).getPort())) {
      Conversation c = new Conversation(plain);
      c.expect("220");
      c.say("EHLO scanner", "250 ");
      c.say("STARTTLS", "220");
      SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
      tls.startHandshake();
      sendOver(new Conversation(tls));
    }
    try (SSLSocket implicit = (SSLSocket) trustAll.getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), relay.server().smtpAddresses().get(1).getPort())) {
      Conversation c = new Conversation(implicit);
      c.expect("220");
      sendOver(c);
    }

    await().atMost(PATIENCE).until(() -> lines("received").size() == 2);
    assertThat(lines("received")).allSatisfy(r -> assertThat(r)
        .containsPattern("\"tls\":\\{\"version\":\"TLSv1\\.[23]\",\"cipher\":\"TLS_[A-Z0-9_]+\"}"))
        .anySatisfy(r -> assertThat(r).contains("\"connector\":\"office\""))
        .anySatisfy(r -> assertThat(r).contains("\"connector\":\"secure\""));
  }

  private static void sendOver(Conversation c) throws IOException {
    c.say("EHLO scanner", "250 ");
    c.say("MAIL FROM:<scanner@corp.example>", "250");
    c.say("RCPT TO:<alice@corp.example>", "250");
    c.say("DATA", "354");
    c.say("Subject: over TLS\r\n\r\nScanned page\r\n.", "250");
    c.say("QUIT", "221");
  }

  /** A line-by-line SMTP exchange over any socket (plain or TLS). */
  private static final class Conversation {
    private final BufferedReader in;
    private final OutputStream out;

    Conversation(Socket socket) throws IOException {
      socket.setSoTimeout(15_000);
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    void say(String line, String expected) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      expect(expected);
    }

    /** Reads a whole reply, whose last line must start with {@code expected}. */
    void expect(String expected) throws IOException {
      String line;
      do {
        line = in.readLine();
        assertThat(line).as("a reply").isNotNull();
      } while (line.length() > 3 && line.charAt(3) == '-');
      assertThat(line).startsWith(expected);
    }
  }

  private static String id(String line) {
    Matcher m = ID.matcher(line);
    assertThat(m.find()).as("an id in %s", line).isTrue();
    return m.group(1);
  }
}
