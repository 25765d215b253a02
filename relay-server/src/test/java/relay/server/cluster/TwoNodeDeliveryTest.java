package relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ClusterConfig;
import relay.config.model.RedisEndpoint;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.LaneRule;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingEvent;
import relay.server.health.CheckResult;

/**
 * Two nodes' delivery schedulers, each with its own spool, sending to one Microsoft 365 mailbox
 * through limits shared in a real redis-server: what the upstream sees is never more than three
 * sessions at once nor more messages in any window than allowed (scaled down to 6 per 2 s here);
 * with Redis stopped mid-burst nothing new starts and nothing counts as a failed attempt; once it is
 * back, everything is delivered.
 */
class TwoNodeDeliveryTest {

  private static final Pacing MAILBOX = new Pacing(3, 6, Duration.ofSeconds(2), 10_000, Duration.ofHours(24), 500,
      Duration.ofSeconds(5), Duration.ofMinutes(2));
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));
  private static final SenderIdentities IDENTITIES = new SenderIdentities(List.of(
      new SenderIdentity("*@scan.example", "scanner@example.com", null, null)));
  private static final AtomicInteger prefixes = new AtomicInteger();

  @TempDir static Path dir;
  private static RedisServer redis;

  private final InstantSource clock = InstantSource.system();
  private final String prefix = "deliver" + prefixes.incrementAndGet() + ":";
  private final Upstream upstream = new Upstream(clock);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<TrackingEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** One node: its cluster membership, its own spool and scheduler for connector "m365". */
  private record Node(ClusterNode cluster, MemorySpool spool, DeliveryScheduler scheduler) {}

  private Node node(String name) {
    ClusterConfig config = new ClusterConfig(name, new RedisEndpoint("127.0.0.1", redis.port()), prefix,
        Duration.ofSeconds(3), Optional.empty());
    ClusterNode cluster = ClusterNode.start(config, new SimpleMeterRegistry(), clock, Duration.ofMillis(100));
    closing.add(cluster);
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.readiness().probe().get() instanceof CheckResult.Ok);
    MemorySpool spool = new MemorySpool();
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, upstream, "m365",
        new LaneLimits(24, 100, true, new LaneRule.PerMailbox(IDENTITIES, MAILBOX)), new RetryPolicy(SCHEDULE), clock,
        new SplittableRandom(1), events::add, Optional.empty(), cluster.limits());
    closing.add(scheduler);
    return new Node(cluster, spool, scheduler);
  }

  @Test
  void theMailboxNeverSeesMoreThanItsLimitsFromTwoNodesTogether() {
    Node one = node("relay-1");
    Node two = node("relay-2");
    submit(one, 12, "a");
    submit(two, 12, "b");
    one.scheduler().start();
    two.scheduler().start();

    await().atMost(Duration.ofSeconds(30)).until(() -> one.spool().messages.isEmpty() && two.spool().messages.isEmpty());

    assertThat(upstream.arrivals).hasSize(24);
    assertThat(upstream.mostAtOnce.get()).as("sessions at once at the upstream").isBetween(1, 3);
    assertThat(upstream.mostInAnyWindow(MAILBOX.messageWindow())).as("messages in any 2 s").isLessThanOrEqualTo(6);
    assertThat(upstream.byNode).containsOnlyKeys("a", "b");
    assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(TrackingEvent.Delivery.class,
        d -> assertThat(d.result()).as("waiting for a turn is never an attempt").isEqualTo(TrackingEvent.Result.DELIVERED)));
  }

  @Test
  void withRedisStoppedMidBurstNothingNewStartsAndDeliveryResumesWhenItIsBack() throws Exception {
    Node one = node("relay-1");
    Node two = node("relay-2");
    submit(one, 10, "a");
    submit(two, 10, "b");
    one.scheduler().start();
    two.scheduler().start();
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.arrivals.size() >= 6);

    redis.stop();
    int atOutage;
    try {
      await().atMost(Duration.ofSeconds(5))
          .until(() -> one.cluster().readiness().probe().get() instanceof CheckResult.Degraded);
      atOutage = upstream.arrivals.size();
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .until(() -> upstream.arrivals.size() <= atOutage + 3); // at most what was granted just before
      assertThat(one.spool().messages.size() + two.spool().messages.size()).as("still queued, none lost")
          .isEqualTo(20 - upstream.arrivals.size());
    } finally {
      redis.start();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> one.spool().messages.isEmpty() && two.spool().messages.isEmpty());
    assertThat(upstream.arrivals).hasSize(20);
    assertThat(upstream.mostAtOnce.get()).isLessThanOrEqualTo(3);
    assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(TrackingEvent.Delivery.class,
        d -> assertThat(d.result()).as("an outage of the store is a wait, not a failed attempt")
            .isEqualTo(TrackingEvent.Result.DELIVERED)));
  }

  private void submit(Node node, int count, String tag) {
    for (int i = 0; i < count; i++) {
      Recipient rcpt = Recipient.of(MailPath.parse(tag + i + "@example.net"));
      Envelope envelope = new Envelope(MailPath.parse("printer@scan.example"), MailParameters.NONE, List.of(rcpt),
          new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), clock.instant());
      byte[] body = "Subject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
      QueuedMessage message = new QueuedMessage(new MessageId(tag + "-" + i), envelope,
          List.of(RecipientState.pending(rcpt)), 0, clock.instant(), body.length, "m365", false);
      node.spool().put(message, body);
      node.scheduler().submit(message);
    }
  }

  /** The mailbox as Microsoft sees it: sessions at once and when each message arrived. Thread-safe. */
  private static final class Upstream implements Transport {
    final InstantSource clock;
    final List<Instant> arrivals = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
    final AtomicInteger underWay = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();

    Upstream(InstantSource clock) {
      this.clock = clock;
    }

    @Override
    public List<RecipientOutcome> deliver(DeliveryRequest request) {
      mostAtOnce.accumulateAndGet(underWay.incrementAndGet(), Math::max);
      try {
        arrivals.add(clock.instant());
        String tag = request.recipients().getFirst().address().address().substring(0, 1);
        byNode.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
        LockSupport.parkNanos(Duration.ofMillis(30).toNanos()); // the SMTP transaction
        return request.recipients().stream().<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, OK)).toList();
      } finally {
        underWay.decrementAndGet();
      }
    }

    /** The most arrivals within any span shorter than {@code window}. */
    int mostInAnyWindow(Duration window) {
      List<Instant> sorted = arrivals.stream().sorted().toList();
      int most = 0;
      for (int i = 0, j = 0; j < sorted.size(); j++) {
        while (!sorted.get(i).plus(window).isAfter(sorted.get(j))) {
          i++;
        }
        most = Math.max(most, j - i + 1);
      }
      return most;
    }
  }
}
