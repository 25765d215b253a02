package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.config.model.RelayConfig;
import relay.server.testing.TestUpstream;

/**
 * Each outbound connector retries on its own schedule: with both upstreams down, a connector with a
 * short schedule tries again and again (and gives up when its short lifetime runs out) while one
 * with a long schedule has made only its first attempt; a reload that changes one connector's
 * schedule reschedules that connector's waiting mail.
 */
class ConnectorRetryRelayTest {

  private static final Duration PATIENCE = Duration.ofSeconds(40);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();


  private RelayConfig load(TestUpstream fast, TestUpstream slow, String slowRetry) throws Exception {
    String hocon = TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "fast", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["corp.example"]
              retry { initial-delay = 100ms, multiplier = 1.0, max-delay = 100ms, max-lifetime = 3s } }
            { name = "slow", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["partner.example"]
              retry { %s } }
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
            dsn.enabled = false
          }
        """.formatted(fast.port(), slow.port(), slowRetry));
    Path file = Files.writeString(dir.resolve("relay.conf"), hocon);
    return TestRelay.onFreePorts(ConfigLoader.load(Optional.of(file), Map.of()));
  }

  private static void send(TestRelay relay, String recipient) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@corp.example", "Subject: retry\r\n\r\nhello\r\n", recipient))
          .startsWith("250 2.0.0");
    }
  }

  @Test
  void connectorsWithDifferentSchedulesRetryOnTheirOwnTimingAndLifetime() throws Exception {
    TestUpstream fast = resources.track(TestUpstream.plain());
    TestUpstream slow = resources.track(TestUpstream.plain());
    fast.down = true;
    slow.down = true;
    TestRelay relay = resources.track(TestRelay.start(load(fast, slow, "initial-delay = 1h, max-delay = 2h, max-lifetime = 2d")));

    send(relay, "bob@partner.example");
    await().atMost(PATIENCE).until(() -> slow.sessions.get() == 1);
    send(relay, "alice@corp.example");

    // the fast connector's 3 s lifetime runs out after many 100 ms retries: its message leaves the spool
    await().atMost(PATIENCE).until(() -> fast.sessions.get() >= 5 && relay.queuedFiles() == 1);
    assertThat(slow.sessions.get()).as("the slow connector waits an hour for its second attempt").isEqualTo(1);
    assertThat(fast.messages).isEmpty();
  }

  @Test
  void reloadThatShortensOneConnectorsScheduleRetriesItsWaitingMailSoon() throws Exception {
    TestUpstream fast = resources.track(TestUpstream.plain());
    TestUpstream slow = resources.track(TestUpstream.plain());
    slow.down = true;
    TestRelay relay = resources.track(TestRelay.start(load(fast, slow, "initial-delay = 1h, max-delay = 2h, max-lifetime = 2d")));
    send(relay, "bob@partner.example");
    await().atMost(PATIENCE).until(() -> slow.sessions.get() == 1);
    slow.down = false;

    relay.server().reload(load(fast, slow, "initial-delay = 100ms, max-delay = 100ms, max-lifetime = 2d"));

    await().atMost(PATIENCE).until(() -> slow.messages.size() == 1);
    assertThat(slow.messages.getFirst().recipients()).containsExactly("bob@partner.example");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
  }
}
