package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.testing.Attempts.refused;
import static relay.core.testing.Attempts.reply;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.delivery.RecipientOutcome;
import relay.core.dsn.DsnAction;
import relay.core.dsn.DsnOutbox;
import relay.core.dsn.DsnPolicy;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.metrics.TrackedMetrics;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.RelayMetrics;
import relay.core.metrics.SmtpStage;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.DomainPattern;
import relay.core.routing.RemoteDomain;
import relay.core.routing.RemoteDomains;
import relay.core.routing.Router;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.rule.RuleEngine;
import relay.core.spool.FileSpool;
import relay.core.spool.MessageBody;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.core.spool.SpoolTransaction;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * Delivery status notifications from the scheduler, against a real file spool: what is queued,
 * for whom, and that the failed state is recorded only after the notice is on disk.
 */
class DeliveryNoticeTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(30), 2.0, Duration.ofHours(1), 0.0, Duration.ofHours(6));
  private static final MailPath SCANNER = MailPath.parse("scanner@office.example.com");
  private static final byte[] BODY =
      "Subject: scan\r\nFrom: scanner@office.example.com\r\n\r\nYour scan.\r\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path root;

  private final TestClock clock = new TestClock(T0);
  private final List<QueuedMessage> notices = new CopyOnWriteArrayList<>();
  private final List<String> dsnMetrics = new CopyOnWriteArrayList<>();
  private final List<TrackingEvent> events = new CopyOnWriteArrayList<>();
  private final List<DeliveryScheduler> schedulers = new ArrayList<>();
  private FileSpool spool;

  @BeforeEach
  void openSpool() throws IOException {
    spool = new FileSpool(root, 0, clock, new SplittableRandom(3));
    spool.recover();
  }

  @AfterEach
  void closeSchedulersAndSpool() throws IOException {
    schedulers.forEach(DeliveryScheduler::close);
    spool.close();
  }

  @Test
  void permanentFailureOfTwoOfThreeRecipientsQueuesOneNoticeListingBoth() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> switch (r.address().localPart()) {
      case "ok" -> new RecipientOutcome.Delivered(r, reply(250, "2.1.5", "Ok"));
      default -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "<" + r.address().address() + "> unknown"));
    }, DsnPolicy.DEFAULTS, RoutingSnapshot.single("default"));
    QueuedMessage original = queue(SCANNER, recipient("gone@example.com"), recipient("ok@example.com"),
        recipient("lost@example.net"));

    scheduler.submit(original);
    scheduler.runDue().join();

    assertThat(notices).singleElement().satisfies(notice -> {
      assertThat(notice.envelope().sender()).isEqualTo(MailPath.NULL);
      assertThat(notice.envelope().recipients()).extracting(Recipient::address).containsExactly(SCANNER);
    });
    String text = content(notices.getFirst());
    assertThat(text)
        .contains("Content-Type: multipart/report; report-type=delivery-status")
        .contains("Reporting-MTA: dns; relay.example.com")
        .contains("Final-Recipient: rfc822; gone@example.com")
        .contains("Final-Recipient: rfc822; lost@example.net")
        .contains("Status: 5.1.1")
        .contains("Remote-MTA: dns; mx.example.org")
        .contains("Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com> unknown")
        .doesNotContain("Final-Recipient: rfc822; ok@example.com");
    // Every recipient is done: the original leaves the spool, only the notice stays.
    assertThat(spool.recover()).extracting(QueuedMessage::id).containsExactly(notices.getFirst().id());
    assertThat(dsnMetrics).containsExactly("failed");
    assertThat(events).singleElement().isInstanceOfSatisfying(TrackingEvent.DsnQueued.class, e -> {
      assertThat(e.id()).isEqualTo(original.id());
      assertThat(e.recipients()).extracting(MailPath::address).containsExactly("gone@example.com", "lost@example.net");
    });
  }

  @Test
  void expiryAfterRefusedConnectionsReportsNoAnswerFromHostWithoutRemoteMta() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.TransientFailure(r, refused()),
        new DsnPolicy(true, null, Duration.ZERO), RoutingSnapshot.single("default"));
    scheduler.submit(queue(SCANNER, recipient("a@example.com")));

    int attempts = 0;
    while (notices.isEmpty() && attempts++ < 20) {
      scheduler.runDue().join();
      clock.advance(Duration.ofHours(1));
    }

    assertThat(notices).singleElement();
    assertThat(content(notices.getFirst()))
        .contains("Action: failed")
        .contains("Status: 4.4.1")
        .contains("Diagnostic-Code: X-Relay; mx.example.org:25: Connection refused")
        .doesNotContain("Remote-MTA");
  }

  @Test
  void expiryQueuesOneNoticeWithDeliveryTimeExpiredStatus() throws IOException {
    // A reply without an enhanced status says nothing more specific than "time expired".
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.TransientFailure(r, reply(421, null, "Service not available")),
        new DsnPolicy(true, null, Duration.ZERO), RoutingSnapshot.single("default"));
    scheduler.submit(queue(SCANNER, recipient("a@example.com"), recipient("b@example.com")));

    int attempts = 0;
    while (notices.isEmpty() && attempts++ < 20) {
      scheduler.runDue().join();
      clock.advance(Duration.ofHours(1));
    }

    assertThat(notices).singleElement();
    assertThat(content(notices.getFirst()))
        .contains("Action: failed")
        .contains("Status: 4.4.7")
        .contains("Final-Recipient: rfc822; a@example.com")
        .contains("Final-Recipient: rfc822; b@example.com");
    assertThat(spool.recover()).extracting(QueuedMessage::id).containsExactly(notices.getFirst().id());
  }

  @Test
  void nullSenderGetsNoNotice() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")),
        DsnPolicy.DEFAULTS, RoutingSnapshot.single("default"));
    scheduler.submit(queue(MailPath.NULL, recipient("gone@example.com")));

    scheduler.runDue().join();

    assertThat(notices).isEmpty();
    assertThat(spool.recover()).isEmpty();
    assertThat(dsnMetrics).isEmpty();
  }

  @Test
  void notifyNeverGetsNoNotice() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")),
        DsnPolicy.DEFAULTS, RoutingSnapshot.single("default"));
    Recipient never = new Recipient(MailPath.parse("gone@example.com"), EnumSet.of(DsnNotify.NEVER), null);
    scheduler.submit(queue(SCANNER, never));

    scheduler.runDue().join();

    assertThat(notices).isEmpty();
    assertThat(spool.recover()).isEmpty();
  }

  @Test
  void reportAddressReceivesTheNoticeInsteadOfTheSender() throws IOException {
    MailPath postmaster = MailPath.parse("postmaster@contoso.com");
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")),
        new DsnPolicy(true, postmaster, Duration.ofHours(4)), RoutingSnapshot.single("default"));
    scheduler.submit(queue(SCANNER, recipient("gone@example.com")));

    scheduler.runDue().join();

    assertThat(notices).singleElement().satisfies(n ->
        assertThat(n.envelope().recipients()).extracting(Recipient::address).containsExactly(postmaster));
    assertThat(content(notices.getFirst())).contains("To: postmaster@contoso.com\r\n");
  }

  @Test
  void disabledNotificationsQueueNothing() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")),
        DsnPolicy.OFF, RoutingSnapshot.single("default"));
    scheduler.submit(queue(SCANNER, recipient("gone@example.com")));

    scheduler.runDue().join();

    assertThat(notices).isEmpty();
    assertThat(spool.recover()).isEmpty();
  }

  @Test
  void remoteDomainThatDisallowsReportsGetsNoNotice() throws IOException {
    RemoteDomain strict = new RemoteDomain(DomainPattern.parse("office.example.com"), true, true, false, OptionalLong.empty());
    RoutingSnapshot routing = new RoutingSnapshot(
        new RuleEngine(List.of(), new Router(List.of(ConnectorScope.byDomain("default", "*"))), AcceptedDomains.NONE),
        new RemoteDomains(List.of(strict)));
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")),
        DsnPolicy.DEFAULTS, routing);
    scheduler.submit(queue(SCANNER, recipient("gone@example.com")));

    scheduler.runDue().join();

    assertThat(notices).isEmpty();
    assertThat(spool.recover()).isEmpty();
  }

  @Test
  void delayNoticeIsQueuedOnceForAMessageStillPendingAfterTheDelay() throws IOException {
    DeliveryScheduler scheduler = scheduler(spool, r -> new RecipientOutcome.TransientFailure(r, reply(451, "4.3.0", "try later")),
        new DsnPolicy(true, null, Duration.ofHours(1)), RoutingSnapshot.single("default"));
    QueuedMessage original = queue(SCANNER, recipient("slow@example.com"));
    scheduler.submit(original);

    for (int i = 0; i < 4; i++) {
      scheduler.runDue().join();
      clock.advance(Duration.ofMinutes(59));
    }

    assertThat(notices).singleElement();
    assertThat(content(notices.getFirst()))
        .contains("Action: delayed")
        .contains("Status: 4.3.0")
        .contains("Will-Retry-Until: Sun, 1 Mar 2026 14:00:00 +0000");
    assertThat(dsnMetrics).containsExactly("delayed");
    assertThat(spool.recover()).extracting(QueuedMessage::id).contains(original.id(), notices.getFirst().id());
  }

  @Test
  void failedRecipientsStayPendingWhenTheNoticeCannotBeQueued() throws IOException {
    Spool full = new Spool() {
      @Override public SpoolTransaction begin() throws IOException {
        throw new IOException("disk full");
      }
      @Override public List<QueuedMessage> recover() throws IOException {
        return spool.recover();
      }
      @Override public MessageBody body(QueuedMessage message) {
        return spool.body(message);
      }
      @Override public Optional<QueuedMessage> read(MessageId id) throws IOException {
        return spool.read(id);
      }
      @Override public void update(QueuedMessage message) throws IOException {
        spool.update(message);
      }
      @Override public void remove(QueuedMessage message) throws IOException {
        spool.remove(message);
      }
      @Override public void park(QueuedMessage message) throws IOException {
        spool.park(message);
      }
      @Override public List<QueuedMessage> unpark(String connector, Instant now, int limit) throws IOException {
        return spool.unpark(connector, now, limit);
      }
      @Override public void bringForward(String connector, Instant latest) throws IOException {
        spool.bringForward(connector, latest);
      }
      @Override public Optional<Instant> nextParked(String connector) {
        return spool.nextParked(connector);
      }
      @Override public List<QueuedMessage> held(String connector, int limit) throws IOException {
        return spool.held(connector, limit);
      }
      @Override public long heldCount(String connector) throws IOException {
        return spool.heldCount(connector);
      }
      @Override public long parkedCount(String connector) throws IOException {
        return spool.parkedCount(connector);
      }
      @Override public List<String> parkedConnectors() throws IOException {
        return spool.parkedConnectors();
      }
      @Override public long size() {
        return spool.size();
      }
    };
    AtomicInteger tries = new AtomicInteger();
    DeliveryScheduler scheduler = scheduler(full, r -> {
      tries.incrementAndGet();
      return new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown"));
    }, DsnPolicy.DEFAULTS, RoutingSnapshot.single("default"));
    QueuedMessage original = queue(SCANNER, recipient("gone@example.com"));
    scheduler.submit(original);

    scheduler.runDue().join();

    assertThat(spool.recover()).singleElement().satisfies(m -> {
      assertThat(m.id()).isEqualTo(original.id());
      assertThat(m.recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING);
      assertThat(m.recipients().getFirst().lastReply()).isEqualTo(reply(550, "5.1.1", "unknown"));
    });
    clock.advance(SCHEDULE.initialDelay());
    scheduler.runDue().join();
    assertThat(tries).hasValue(2);
  }

  private DeliveryScheduler scheduler(
      Spool target, Function<Recipient, RecipientOutcome> answer, DsnPolicy policy, RoutingSnapshot routing) {
    RelayMetrics metrics = new RelayMetrics() {
      @Override public void connection(String listener, String connector, boolean accepted) {}
      @Override public void messageAccepted(String connector, long bytes) {}
      @Override public void messageRejected(SmtpStage stage, int code) {}
      @Override public void deliveryAttempt(String connector, AttemptResult result) {}
      @Override public void deliveryDelay(String connector, Duration delay) {}
      @Override public void dsnQueued(DsnAction action) {
        dsnMetrics.add(action.fieldValue());
      }
    };
    DsnOutbox outbox = new DsnOutbox(target, notices::add, () -> routing, "relay.example.com",
        () -> "token" + notices.size(), clock, TrackingLog.all(List.of(events::add, new TrackedMetrics(metrics))), policy);
    DeliveryScheduler scheduler = new DeliveryScheduler(target, new ScriptedTransport(answer), "default", limits(4),
        new RetryPolicy(SCHEDULE), clock, new SplittableRandom(1), new TrackedMetrics(metrics), Optional.of(outbox));
    schedulers.add(scheduler);
    return scheduler;
  }

  private static Recipient recipient(String address) {
    return Recipient.of(MailPath.parse(address));
  }

  private QueuedMessage queue(MailPath sender, Recipient... recipients) throws IOException {
    Envelope envelope = new Envelope(sender, MailParameters.NONE, List.of(recipients),
        new ClientInfo("192.0.2.10", 40123, "scanner.lan", false, "devices"), clock.instant());
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(BODY);
      return transaction.commit(envelope);
    }
  }

  private String content(QueuedMessage message) throws IOException {
    try (InputStream in = spool.body(message).open()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static LaneLimits limits(int maxInFlight) {
    return new LaneLimits(maxInFlight, DeliveryScheduler.DEFAULT_WINDOW, false);
  }
}
