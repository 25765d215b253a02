package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.config.model.RelayConfig;
import relay.server.testing.TestUpstream;

/**
 * {@code relay drain} against a running relay over real sockets: new connections and open sessions
 * get 421 and are sent elsewhere, {@code /readyz} turns not ready while {@code /healthz} stays
 * alive, the delivery under way finishes and the queue empties, the drained state survives a restart
 * and {@code --undo} takes mail again.
 */
class DrainCommandTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private TestUpstream upstream;
  private RelayConfig config;
  private Path configFile;
  private TestRelay relay;

  @BeforeEach
  void start() throws Exception {
    upstream = resources.track(TestUpstream.plain());
    configFile = Files.writeString(dir.resolve("relay.conf"), TestRelay.officeLan(dir.resolve("home"), """
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
        """.formatted(upstream.port())));
    config = TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configFile), Map.of()));
    relay = resources.track(TestRelay.start(config));
  }

  private CommandRun drain(String... args) {
    List<String> all = new ArrayList<>(List.of("drain"));
    all.addAll(List.of(args));
    all.addAll(List.of("--config", configFile.toString(), "--url", "http://127.0.0.1:" + relay.adminPort()));
    return CommandRun.of(all);
  }

  /** The greeting a new connection gets (and whether the relay then closes it). */
  private String greeting() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.smtpPort())) {
      socket.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String line = in.readLine();
      return line.startsWith("421") && in.readLine() == null ? line + " (closed)" : line;
    }
  }

  private String send(String subject) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      return client.message("scanner@contoso.com", "Subject: " + subject + "\r\nMessage-ID: <" + subject + "@test>\r\n\r\nhi\r\n",
          "boss@fabrikam.com");
    }
  }

  @Test
  void aDrainedNodeRefusesNewMailWithFourTwentyOneAndFinishesWhatItHas() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    upstream.gate = gate;
    try (RawSmtp idle = new RawSmtp(relay.smtpPort())) {
      idle.send("EHLO printer");
      assertThat(send("in-flight")).startsWith("250 2.0.0 Ok queued as ");
      await().atMost(PATIENCE).until(() -> upstream.dataBegun.get() == 1);

      CommandRun drained = drain();
      assertThat(drained.exit()).as(drained.err()).isZero();
      assertThat(drained.out()).contains("drained since", "by local", "1 to deliver, 0 held").containsPattern("upstream\\s+1\\s+0\\s+0");

      assertThat(greeting()).isEqualTo("421 4.3.2 Service not available, try another host (closed)");
      assertThat(idle.send("MAIL FROM:<scanner@contoso.com>")).isEqualTo("421 4.3.2 Service not available, try another host");
      var ready = relay.admin("/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("fail intake: drained since").contains("ok spool");
      assertThat(relay.admin("/healthz").statusCode()).isEqualTo(200);
      assertThat(relay.metric("relay_drained")).contains(1.0);

      // The delivery under way finishes; waiting ends when the queue is empty.
      gate.countDown();
      CommandRun waited = drain("--status", "--wait", "30s");
      assertThat(waited.exit()).as(waited.err()).isZero();
      assertThat(waited.out()).contains("drained since", "queue empty");
      assertThat(upstream.messages).singleElement()
          .satisfies(m -> assertThat(new String(m.content(), StandardCharsets.US_ASCII)).contains("Subject: in-flight"));
      await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    }
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        Files.readString(dir.resolve("home").resolve("logs").resolve("tracking.log")))
        .contains("\"stage\":\"connect\"", "\"reply\":\"421 4.3.2 Service not available, try another host\"", "node drained"));
  }

  @Test
  void drainedSurvivesARestartUntilUndone() throws Exception {
    assertThat(drain().exit()).isZero();
    assertThat(drain().out()).contains("drained since"); // twice is harmless
    relay.close();
    relay = resources.track(TestRelay.start(config));

    assertThat(greeting()).startsWith("421 4.3.2");
    assertThat(relay.admin("/readyz").statusCode()).isEqualTo(503);
    // Emptied once the start-up walk of the (empty) spool has finished.
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(drain("--status", "--json").out())
        .contains("\"accepting\":false", "\"drainedBy\":\"local\"", "\"emptied\":true"));

    CommandRun undone = drain("--undo");
    assertThat(undone.exit()).as(undone.err()).isZero();
    assertThat(undone.out()).contains("accepting new mail");
    assertThat(relay.admin("/readyz").statusCode()).isEqualTo(200);
    assertThat(relay.metric("relay_drained")).contains(0.0);
    assertThat(send("after-undo")).startsWith("250 2.0.0 Ok queued as ");
    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 1);
    assertThat(Files.exists(dir.resolve("home").resolve("drained"))).isFalse();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        Files.readString(dir.resolve("home").resolve("logs").resolve("audit.log")))
        .contains("\"action\":\"drain\",\"target\":\"node\",\"done\":true", "\"action\":\"drain\",\"target\":\"node\",\"done\":false",
            "\"action\":\"accept\",\"target\":\"node\",\"done\":true"));
  }

  @Test
  void connectionsRefusedWhileDrainedLeaveTheListenersConnectionLimitAsItWas() throws Exception {
    relay.close();
    configFile = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525, max-connections = 2, max-connections-per-client = 2
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
        }
        """.formatted(dir.resolve("home"), upstream.port()));
    relay = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configFile), Map.of()))));
    assertThat(drain().exit()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(greeting()).startsWith("421 4.3.2");
    }
    assertThat(drain("--undo").exit()).isZero();

    assertThat(send("after-many-refusals")).startsWith("250 2.0.0 Ok queued as ");
  }

  @Test
  void waitingRunsOutWhileTheUpstreamIsDown() throws Exception {
    upstream.down = true;
    assertThat(send("stuck")).startsWith("250 ");
    await().atMost(PATIENCE).until(() -> upstream.sessions.get() >= 1);
    CommandRun waited = drain("--wait", "2s");
    assertThat(waited.exit()).isEqualTo(3);
    assertThat(waited.err()).contains("1 message(s) still to deliver");
    assertThat(waited.out()).containsPattern("upstream\\s+\\d\\s+\\d\\s+0");
  }
}
