package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.config.model.RelayConfig;
import relay.server.testing.TestUpstream;

/**
 * The running relay routing with the configuration: two outbound connectors (two SubEthaSMTP
 * upstreams), mail-flow rules, and reloads of the configuration file.
 */
class RoutingRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();


  private String hocon(TestUpstream internal, TestUpstream partner, String extraRules) {
    return TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["corp.example"] }
            { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["partner.example"] }
          ]
          rules = [
            {
              name = "Blocked mailbox", priority = 10
              conditions { recipient-address = ["blocked@corp.example"] }
              actions { reject { code = 550, status = "5.7.1", text = "This mailbox does not take relay mail" } }
            }
            {
              name = "Tag partner mail", priority = 20
              conditions { recipient-domain = ["partner.example"] }
              actions { add-header { name = "X-Partner-Copy", value = "yes" } }
            }
            %s
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        """.formatted(internal.port(), partner.port(), extraRules));
  }

  private static String content(String subject) {
    return "From: scanner@corp.example\r\nSubject: " + subject + "\r\n\r\nScanned page\r\n";
  }

  private static String text(TestUpstream.Received r) {
    return new String(r.content(), StandardCharsets.UTF_8);
  }

  @Test
  void messageToTwoDomainsLeavesThroughTwoConnectorsEachPartWithOnlyItsRecipients() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner, ""))));

    String reply;
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      reply = client.message("scanner@corp.example", content("split me"),
          "alice@corp.example", "bob@partner.example", "carol@corp.example");
    }

    assertThat(reply).startsWith("250 2.0.0 ");
    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1 && partner.messages.size() == 1);
    TestUpstream.Received inside = internal.messages.getFirst();
    TestUpstream.Received outside = partner.messages.getFirst();
    assertThat(inside.recipients()).containsExactlyInAnyOrder("alice@corp.example", "carol@corp.example");
    assertThat(outside.recipients()).containsExactly("bob@partner.example");
    assertThat(text(inside)).contains("Subject: split me\r\n").contains("\r\n\r\nScanned page\r\n")
        .doesNotContain("X-Partner-Copy");
    assertThat(text(outside)).startsWith("X-Partner-Copy: yes\r\n").contains("Subject: split me\r\n")
        .contains("\r\n\r\nScanned page\r\n");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    assertThat(relay.metric("relay_rule_hits_total", "rule=\"Tag partner mail\"", "mode=\"enforce\"")).contains(1.0);
  }

  @Test
  void ruleRejectionArrivesAsTheConfiguredReplyAndOtherRecipientsStillGetTheMessage() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner, ""))));

    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      client.send("MAIL FROM:<scanner@corp.example>");
      assertThat(client.send("RCPT TO:<blocked@corp.example>"))
          .isEqualTo("550 5.7.1 This mailbox does not take relay mail");
      assertThat(client.send("RCPT TO:<alice@corp.example>")).startsWith("250 2.1.5");
      assertThat(client.data(content("hello"))).startsWith("250 2.0.0");
    }

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    assertThat(internal.messages.getFirst().recipients()).containsExactly("alice@corp.example");
    assertThat(partner.messages).isEmpty();
    assertThat(relay.metric("relay_rule_hits_total", "rule=\"Blocked mailbox\"")).contains(1.0);
  }

  @Test
  void headerRuleRejectionAtEndOfDataIsTheReplyToDataAndNothingIsQueued() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    String rule = """
        {
          name = "No confidential scans", priority = 30
          conditions { subject-contains = ["confidential"] }
          actions { reject { code = 550, status = "5.7.1", text = "Confidential documents may not be relayed" } }
        }
        """;
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner, rule))));

    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@corp.example", content("CONFIDENTIAL payroll"), "alice@corp.example"))
          .isEqualTo("550 5.7.1 Confidential documents may not be relayed");
      assertThat(client.message("scanner@corp.example", content("lunch"), "alice@corp.example"))
          .startsWith("250 2.0.0");
    }

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    assertThat(text(internal.messages.getFirst())).contains("Subject: lunch");
    assertThat(relay.queuedFiles()).isZero();
  }

  @Test
  void reloadUnderTrafficLosesNothingAndAnInvalidFileKeepsTheOldConfiguration() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    TestUpstream partnerTwo = resources.track(TestUpstream.plain());
    Path file = dir.resolve("relay.conf");
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(internal, partner, ""))));
    Map<String, Boolean> accepted = new ConcurrentHashMap<>();
    List<Thread> senders = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
    for (int t = 0; t < 3; t++) {
      int sender = t;
      senders.add(Thread.ofVirtual().start(() -> {
        try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
          client.send("EHLO sender" + sender);
          for (int n = 0; sending.get(); n++) {
            String subject = "s" + sender + "-" + n;
            String reply = client.message("scanner@corp.example", content(subject),
                "alice@corp.example", "bob@partner.example");
            if (reply.startsWith("250")) {
              accepted.put(subject, true);
            }
          }
        } catch (Exception e) {
          failures.add(e);
        }
      }));
    }

    // Each reload changes the partner connector (its upstream alternates), so its scheduler is rebuilt.
    for (int round = 0; round < 4; round++) {
      int before = accepted.size();
      await().atMost(PATIENCE).until(() -> accepted.size() >= before + 5);
      TestUpstream target = round % 2 == 0 ? partnerTwo : partner;
      Files.writeString(file, hocon(internal, target, ""));
      relay.server().reload(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(file), Map.of())));
    }
    int beforeBad = accepted.size();
    await().atMost(PATIENCE).until(() -> accepted.size() >= beforeBad + 5);
    Files.writeString(file, "relay { outbound-connectors = 12, listners = [] }");
    boolean loaded = ConfigReloader.reloadFrom(relay.server(), Optional.of(file), Map.of());
    int afterBad = accepted.size();
    await().atMost(PATIENCE).until(() -> accepted.size() >= afterBad + 5);
    sending.set(false);
    for (Thread s : senders) {
      s.join();
    }

    assertThat(failures).isEmpty();
    assertThat(loaded).isFalse();
    await().atMost(PATIENCE).untilAsserted(() -> {
      List<String> inside = internal.messages.stream().map(RoutingRelayTest::subject).toList();
      List<String> outside = new ArrayList<>();
      partner.messages.forEach(m -> outside.add(subject(m)));
      partnerTwo.messages.forEach(m -> outside.add(subject(m)));
      assertThat(inside).containsAll(accepted.keySet());
      assertThat(outside).containsAll(accepted.keySet());
    });
    assertThat(partnerTwo.messages).isNotEmpty();
    assertThat(relay.metric("relay_config_reloads_total", "result=\"success\"")).contains(4.0);
    assertThat(relay.metric("relay_config_reloads_total", "result=\"failure\"")).contains(1.0);
    assertThat(relay.server().currentConfig().outboundConnectors()).hasSize(2);
  }

  private static String subject(TestUpstream.Received m) {
    String text = text(m);
    int at = text.indexOf("Subject: ");
    return text.substring(at + 9, text.indexOf("\r\n", at));
  }
}
