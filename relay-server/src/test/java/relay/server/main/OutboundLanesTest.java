package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.config.model.RelayConfig;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.spool.FileSpool;
import relay.core.spool.QueuedMessage;
import relay.core.spool.SpoolTransaction;
import relay.server.testing.TestUpstream;

/**
 * {@link OutboundLanes} in a running relay: mail queued for a connector stays with that connector
 * across reloads, and mail queued by the previous release (spool record version 1, no connector)
 * is routed by its recipients' domain when recovered.
 */
class OutboundLanesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private List<String> lines(String event) {
    return TrackingFiles.lines(dir).stream().filter(l -> l.contains("\"event\":\"" + event + "\"")).toList();
  }

  private String hocon(TestUpstream internal, TestUpstream partner) {
    String partnerConnector = partner == null ? "" : """
        { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["partner.example"] }
        """.formatted(partner.port());
    return TestRelay.officeLan(dir.resolve("home"), """
          accepted-domains = [{ domain = "corp.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["corp.example"] }
            %s
          ]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        """.formatted(internal.port(), partnerConnector));
  }

  private RelayConfig load(String hocon) throws Exception {
    Path file = Files.writeString(dir.resolve("relay.conf"), hocon);
    return TestRelay.onFreePorts(ConfigLoader.load(Optional.of(file), Map.of()));
  }

  @Test
  void connectorRemovedByAReloadHoldsItsQueuedMailUntilAReloadBringsItBack() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    partner.down = true;
    TestRelay relay = resources.track(TestRelay.start(load(hocon(internal, partner))));
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@corp.example", "Subject: for the partner\r\n\r\nhello\r\n",
          "bob@partner.example")).startsWith("250 2.0.0");
    }
    await().atMost(PATIENCE).until(() -> !lines("deferred").isEmpty());

    relay.server().reload(load(hocon(internal, null)));

    await().atMost(PATIENCE).until(() -> !lines("held").isEmpty());
    assertThat(lines("held")).last().asString().contains("\"connector\":\"partner\"");
    assertThat(relay.queuedFiles()).isEqualTo(1);
    assertThat(internal.messages).isEmpty();
    assertThat(relay.metric("relay_messages_held")).as("waiting for its connector counts as held").hasValue(1.0);

    partner.down = false;
    relay.server().reload(load(hocon(internal, partner)));

    await().atMost(PATIENCE).until(() -> partner.messages.size() == 1);
    assertThat(partner.messages.getFirst().recipients()).containsExactly("bob@partner.example");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    assertThat(internal.messages).isEmpty();
    assertThat(relay.metric("relay_messages_held")).hasValue(0.0);
  }

  @Test
  void aConnectorReplacedByAReloadClosesTheUpstreamSessionItKeptOpen() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(load(hocon(internal, null))));
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@lan.example", "Subject: first\r\n\r\nhello\r\n", "alice@corp.example"))
          .startsWith("250 2.0.0");
    }
    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    // The connector keeps its session for the next message.
    await().during(Duration.ofMillis(300)).atMost(PATIENCE).until(() -> internal.sessionsEnded.get() == 0);

    // A changed connector is a new lane with a new transport; the old one lets its session go.
    relay.server().reload(load(hocon(internal, null).replace("tls = none, recipient-domains = [\"corp.example\"]",
        "tls = none, max-connections = 3, recipient-domains = [\"corp.example\"]")));

    await().atMost(PATIENCE).until(() -> internal.sessionsEnded.get() == 1);
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      assertThat(client.message("scanner@lan.example", "Subject: second\r\n\r\nhello\r\n", "alice@corp.example"))
          .startsWith("250 2.0.0");
    }
    await().atMost(PATIENCE).until(() -> internal.messages.size() == 2);
  }

  @Test
  void version1RecordRecoveredAtStartUpIsRoutedByItsRecipientsDomain() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    TestUpstream partner = resources.track(TestUpstream.plain());
    RelayConfig config = load(hocon(internal, partner));
    // The default connector is "internal" (the first); the record must go by domain to "partner".
    assertThat(config.defaultConnector().name()).isEqualTo("internal");
    Path spoolDir = config.spool().directory();
    QueuedMessage queued;
    try (FileSpool spool = previousRelease(spoolDir)) {
      assertThat(spool.recover()).isEmpty();
      try (SpoolTransaction tx = spool.begin()) {
        tx.body().write("Subject: queued before the upgrade\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
        queued = tx.commit(new Envelope(MailPath.parse("scanner@corp.example"), MailParameters.NONE,
            List.of(Recipient.of(MailPath.parse("bob@partner.example"))),
            new ClientInfo("127.0.0.1", 40000, "scanner", false, "office"), Instant.parse("2026-03-01T08:00:00Z")));
      }
    }
    Path written;
    try (var files = Files.walk(spoolDir.resolve("queue"))) {
      written = files.filter(f -> f.getFileName().toString().equals(queued.id().value() + ".msg")).findFirst().orElseThrow();
    }
    // As a previous release left it: the record in its old version, the file directly in queue/ (layout 1).
    Version1SpoolFile.rewrite(written);
    Files.move(written, spoolDir.resolve("queue").resolve(written.getFileName()));

    TestRelay relay = resources.track(TestRelay.start(config));

    await().atMost(PATIENCE).until(() -> partner.messages.size() == 1);
    assertThat(new String(partner.messages.getFirst().content(), StandardCharsets.US_ASCII))
        .contains("Subject: queued before the upgrade");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    assertThat(internal.messages).isEmpty();
  }

  @Test
  void mailRecoveredWithAWaitLongerThanTheRunningScheduleIsTriedWithinItsMaxDelay() throws Exception {
    TestUpstream internal = resources.track(TestUpstream.plain());
    RelayConfig config = load(hocon(internal, null));
    try (FileSpool spool = previousRelease(config.spool().directory())) {
      assertThat(spool.recover()).isEmpty();
      QueuedMessage queued;
      try (SpoolTransaction tx = spool.begin()) {
        tx.body().write("Subject: deferred under a 2-hour schedule\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
        queued = tx.commit(new Envelope(MailPath.parse("scanner@corp.example"), MailParameters.NONE,
            List.of(Recipient.of(MailPath.parse("alice@corp.example"))),
            new ClientInfo("127.0.0.1", 40000, "scanner", false, "office"), Instant.now()));
      }
      // As a run with a long retry schedule left it (the upstream was down): next attempt in two hours.
      spool.update(queued.withConnector("internal").withState(queued.recipients(), 1, Instant.now().plus(Duration.ofHours(2))));
    }

    TestRelay relay = resources.track(TestRelay.start(config)); // max-delay = 1s

    await().atMost(PATIENCE).until(() -> internal.messages.size() == 1);
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
  }

  private static FileSpool previousRelease(Path spoolDir) {
    return new FileSpool(spoolDir, 0, InstantSource.system(), new SecureRandom());
  }
}
