package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.metrics.QueueCensus;
import relay.core.reply.SmtpReply;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.LaneRule;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.FileSpool;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.SpoolTransaction;
import relay.core.tracking.TrackingLog;

/**
 * The queue and mailbox gauges on /metrics, read from a real file spool and real schedulers under a
 * test clock: counts by state, the oldest message's age, a mailbox's use of its limits as its lane is
 * used, rows following the connectors, and a scrape that never lists the spool's index.
 */
class QueueGaugesTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));
  // 3 sessions, 30 messages a minute, 10,000 recipients a day: Microsoft's limits.
  private static final Pacing PACING = Pacing.MICROSOFT_365;

  @TempDir Path root;
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, DeliveryScheduler> running = new ConcurrentHashMap<>();
  private final CountDownLatch upstream = new CountDownLatch(1);
  private final AtomicInteger underWay = new AtomicInteger();
  private FileSpool spool;
  private QueueGauges gauges;

  @BeforeEach
  void open() throws IOException {
    spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, now::get, new SplittableRandom(5));
    spool.open();
    gauges = new QueueGauges(registry, new QueueCensus(spool, () -> Map.copyOf(running), now::get, QueueCensus.MAX_AGE),
        now::get);
  }

  @AfterEach
  void close() throws IOException {
    upstream.countDown();
    running.values().forEach(DeliveryScheduler::close);
    spool.close();
  }

  @Test
  void queueGaugesShowEachConnectorsMessagesByStateAndTheOldestOnesAge() throws Exception {
    DeliveryScheduler smart = scheduler("smart", new LaneLimits(1, 2, false));
    for (int i = 0; i < 5; i++) {
      smart.submit(commit("smart", "printer@example.com", 1));
    }
    QueuedMessage held = held(commit("smart", "printer@example.com", 1));
    spool.update(held);
    smart.submit(held);
    spool.park(commit("retired", "printer@example.com", 1));
    gauges.update();

    now.set(T0.plus(Duration.ofHours(1)));
    String metrics = registry.scrape();

    assertThat(metrics)
        .contains("relay_queue_messages{connector=\"smart\",state=\"active\"} 2.0")
        .contains("relay_queue_messages{connector=\"smart\",state=\"deferred\"} 3.0")
        .contains("relay_queue_messages{connector=\"smart\",state=\"held\"} 1.0")
        .contains("relay_queue_messages{connector=\"retired\",state=\"held\"} 1.0")
        .contains("relay_queue_messages{connector=\"retired\",state=\"active\"} 0.0")
        .doesNotContain("relay_mailbox_");
    // The oldest waits on disk too, where its arrival is known to the id's 33-second period: never younger.
    assertThat(gauge("relay_queue_oldest_age_seconds{connector=\"smart\"}", metrics)).isBetween(3600.0, 3633.0);
  }

  private static double gauge(String series, String metrics) {
    return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1))).orElseThrow();
  }

  @Test
  void mailboxGaugesFollowTheReadyLaneAsItIsUsed() throws Exception {
    SenderIdentities identities = new SenderIdentities(List.of(
        new SenderIdentity("*@scan.example", "scanner@example.com", null, null),
        new SenderIdentity("*", "erp@example.com", null, null)));
    DeliveryScheduler m365 = scheduler("m365", new LaneLimits(6, 100, true, new LaneRule.PerMailbox(identities, PACING)));
    gauges.update();
    assertThat(registry.scrape())
        .contains("relay_mailbox_sessions{connector=\"m365\",mailbox=\"scanner@example.com\"} 0.0")
        .contains("relay_mailbox_sessions_limit{connector=\"m365\",mailbox=\"scanner@example.com\"} 3.0")
        .contains("relay_mailbox_messages_per_minute{connector=\"m365\",mailbox=\"scanner@example.com\"} 0.0")
        .contains("relay_mailbox_messages_per_minute_limit{connector=\"m365\",mailbox=\"scanner@example.com\"} 30.0")
        .contains("relay_mailbox_recipients_per_day{connector=\"m365\",mailbox=\"scanner@example.com\"} 0.0")
        .contains("relay_mailbox_recipients_per_day_limit{connector=\"m365\",mailbox=\"erp@example.com\"} 10000.0");

    for (int i = 0; i < 4; i++) {
      m365.submit(commit("m365", "copier@scan.example", 5));
    }
    CompletableFuture<Void> sending = m365.runDue();
    waitUntil(() -> underWay.get() == 3);
    now.set(now.get().plus(QueueCensus.MAX_AGE)); // the next scrape takes a new census
    assertThat(registry.scrape())
        .contains("relay_mailbox_sessions{connector=\"m365\",mailbox=\"scanner@example.com\"} 3.0")
        .contains("relay_mailbox_messages_per_minute{connector=\"m365\",mailbox=\"scanner@example.com\"} 3.0")
        .contains("relay_mailbox_recipients_per_day{connector=\"m365\",mailbox=\"scanner@example.com\"} 15.0")
        .contains("relay_mailbox_sessions{connector=\"m365\",mailbox=\"erp@example.com\"} 0.0")
        .contains("relay_queue_messages{connector=\"m365\",state=\"active\"} 4.0");

    upstream.countDown();
    sending.get(10, TimeUnit.SECONDS);
    now.set(now.get().plus(QueueCensus.MAX_AGE));
    assertThat(registry.scrape())
        .contains("relay_mailbox_sessions{connector=\"m365\",mailbox=\"scanner@example.com\"} 0.0")
        .contains("relay_mailbox_messages_per_minute{connector=\"m365\",mailbox=\"scanner@example.com\"} 4.0")
        .contains("relay_mailbox_recipients_per_day{connector=\"m365\",mailbox=\"scanner@example.com\"} 20.0")
        .contains("relay_queue_messages{connector=\"m365\",state=\"active\"} 0.0")
        .contains("relay_queue_oldest_age_seconds{connector=\"m365\"} 0.0");

    now.set(now.get().plus(Duration.ofMinutes(1)));
    assertThat(registry.scrape())
        .contains("relay_mailbox_messages_per_minute{connector=\"m365\",mailbox=\"scanner@example.com\"} 0.0")
        .contains("relay_mailbox_recipients_per_day{connector=\"m365\",mailbox=\"scanner@example.com\"} 20.0");
  }

  @Test
  void rowsFollowTheConnectorsAfterAReload() throws Exception {
    scheduler("smart", new LaneLimits(1, 10, false));
    DeliveryScheduler old = scheduler("old", new LaneLimits(1, 10, false));
    gauges.update();
    assertThat(registry.scrape()).contains("relay_queue_messages{connector=\"old\",state=\"active\"} 0.0");

    running.remove("old").close(); // removed from the configuration with nothing queued
    gauges.update();

    assertThat(registry.scrape()).doesNotContain("connector=\"old\"")
        .contains("relay_queue_messages{connector=\"smart\",state=\"active\"} 0.0");
  }

  @Test
  void aScrapeNeverListsTheSpoolsIndex() throws Exception {
    DeliveryScheduler smart = scheduler("smart", new LaneLimits(1, 1, false));
    for (int i = 0; i < 4; i++) {
      smart.submit(commit("smart", "printer@example.com", 1));
    }
    gauges.update();
    // Counting from the index would now find nothing: the figures come from the spool's tallies.
    try (Stream<Path> files = Files.walk(root.resolve("parked"))) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    now.set(now.get().plus(QueueCensus.MAX_AGE));

    assertThat(registry.scrape()).contains("relay_queue_messages{connector=\"smart\",state=\"deferred\"} 3.0");
  }

  private DeliveryScheduler scheduler(String connector, LaneLimits limits) {
    Transport transport = request -> {
      underWay.incrementAndGet();
      try {
        upstream.await(10, TimeUnit.SECONDS);
      } finally {
        underWay.decrementAndGet();
      }
      return request.recipients().stream().<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, OK)).toList();
    };
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, transport, connector, limits, new RetryPolicy(SCHEDULE),
        now::get, new SplittableRandom(1), TrackingLog.NONE, Optional.empty());
    running.put(connector, scheduler);
    return scheduler;
  }

  private QueuedMessage commit(String connector, String sender, int recipients) throws IOException {
    List<Recipient> rcpts = java.util.stream.IntStream.range(0, recipients)
        .mapToObj(i -> Recipient.of(MailPath.parse("user" + i + "@fabrikam.com"))).toList();
    Envelope envelope = new Envelope(MailPath.parse(sender), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), now.get());
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write("Subject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
      return transaction.commit(envelope).withConnector(connector);
    }
  }

  private static QueuedMessage held(QueuedMessage message) {
    return message.withState(message.recipients().stream()
        .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 1,
            new AttemptReport.Replied(SmtpReply.of(535, "5.7.139", "disabled"))))
        .toList(), 1, message.nextAttemptAt());
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
  }
}
