package relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ClusterConfig;
import relay.config.model.RedisEndpoint;
import relay.core.connector.Pacing;
import relay.core.limits.LaneClaim;
import relay.core.limits.SharedGrant;
import relay.server.health.CheckResult;

/**
 * Two nodes (two {@link ClusterNode}s in one JVM) sharing one real redis-server: together they
 * never hold more sessions or send more messages per window than one mailbox allows; a node that
 * dies frees its sessions within the lease time to live; without Redis nothing is granted and
 * readiness says why, and grants resume when Redis is back; a suspension made on one node holds on
 * the other.
 */
class SharedLimitsRedisTest {

  private static final Pacing MAILBOX = new Pacing(3, 30, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 500,
      Duration.ofSeconds(5), Duration.ofMinutes(2));
  private static final Duration TICK = Duration.ofMillis(100);

  @TempDir static Path dir;
  private static RedisServer redis;
  private static final AtomicInteger prefixes = new AtomicInteger();

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final String prefix = "test" + prefixes.incrementAndGet() + ":";

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void closeNodes() {
    nodes.forEach(ClusterNode::close);
  }

  private ClusterNode node(String name, Duration ttl, InstantSource clock) {
    return node(name, ttl, clock, new SimpleMeterRegistry());
  }

  private ClusterNode node(String name, Duration ttl, InstantSource clock, MeterRegistry registry) {
    ClusterConfig config = new ClusterConfig(name, new RedisEndpoint("127.0.0.1", redis.port()), prefix, ttl,
        Optional.of(URI.create("http://127.0.0.1:9" + (nodes.size() + 100))));
    ClusterNode node = ClusterNode.start(config, registry, clock, TICK);
    nodes.add(node);
    // Joining never waits for the store; a test does, so that it starts from a connected node.
    await().atMost(Duration.ofSeconds(5)).until(() -> node.readiness().probe().get() instanceof CheckResult.Ok);
    return node;
  }

  private static List<LaneClaim> scanner() {
    return List.of(new LaneClaim("scanner@example.com", 1, 1, MAILBOX.maxSessions(), Optional.of(MAILBOX)));
  }

  /** A destination domain's lane: three connections at once, no pace. */
  private static List<LaneClaim> domain() {
    return List.of(new LaneClaim("fabrikam.com", 1, 1, 3, Optional.empty()));
  }

  private static SharedGrant ask(ClusterNode node, InstantSource clock) {
    return node.limits().acquire("m365", scanner(), clock.instant());
  }

  @Test
  void twoNodesTogetherNeverHoldMoreThanThreeSessionsNorSendMoreThanThirtyMessagesAMinute() throws Exception {
    MovableClock clock = new MovableClock();
    List<ClusterNode> both = List.of(node("relay-1", Duration.ofSeconds(30), clock), node("relay-2", Duration.ofSeconds(30), clock));
    AtomicInteger underWay = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Map<String, AtomicInteger> sentBy = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();

    Runnable minute = () -> {
      List<Thread> attempts = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        ClusterNode node = both.get(t % 2);
        attempts.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < 200; i++) {
            if (ask(node, clock) instanceof SharedGrant.Granted granted) {
              mostAtOnce.accumulateAndGet(underWay.incrementAndGet(), Math::max);
              LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // the session's work
              underWay.decrementAndGet();
              sent.incrementAndGet();
              sentBy.computeIfAbsent(node.members().self(), n -> new AtomicInteger()).incrementAndGet();
              node.limits().release(granted, false, Duration.ZERO, clock.instant());
            }
          }
        }));
      }
      attempts.forEach(thread -> {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    };

    minute.run();
    assertThat(sent.get()).as("messages in the first minute, both nodes together").isEqualTo(30);
    assertThat(mostAtOnce.get()).as("sessions at once, both nodes together").isLessThanOrEqualTo(3);
    assertThat(sentBy.keySet()).as("both nodes had turns").containsExactlyInAnyOrder("relay-1", "relay-2");

    clock.advance(Duration.ofMinutes(1));
    minute.run();
    assertThat(sent.get()).as("the next minute allows thirty more").isEqualTo(60);
    assertThat(mostAtOnce.get()).isLessThanOrEqualTo(3);
  }

  @Test
  void aLeaseThatLapsedBeforeItsNodeRenewedItIsCountedAndSaidSo() {
    MovableClock clock = new MovableClock();
    MeterRegistry registry = new SimpleMeterRegistry();
    ClusterNode stalled = node("relay-1", Duration.ofSeconds(30), clock, registry);
    assertThat(ask(stalled, clock)).isInstanceOf(SharedGrant.Granted.class);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> registry.counter("relay.cluster.leases.lapsed").count() == 0);

    // As if the node had not run for longer than the lease's time to live: at its next renewal
    // the lease had lapsed, and another node could have had its slot meanwhile.
    clock.advance(Duration.ofSeconds(31));
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.counter("relay.cluster.leases.lapsed").count() == 1);
  }

  @Test
  void aRenewalRacingAReleaseNeverPutsTheReleasedLeaseBack() throws Exception {
    MovableClock clock = new MovableClock();
    MeterRegistry registry = new SimpleMeterRegistry();
    ClusterNode node = node("relay-1", Duration.ofSeconds(30), clock, registry);
    AtomicBoolean done = new AtomicBoolean();
    // A platform thread: with nothing to renew this loop never blocks, and on a virtual thread it
    // would keep the attempts from a carrier (virtual threads are not time-sliced).
    Thread renewer = Thread.ofPlatform().start(() -> {
      while (!done.get()) {
        ((RedisLimits) node.limits()).renew();
      }
    });
    List<Thread> attempts = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      attempts.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 300; i++) {
          if (node.limits().acquire("mx", domain(), clock.instant()) instanceof SharedGrant.Granted granted) {
            node.limits().release(granted, false, Duration.ZERO, clock.instant());
          }
        }
      }));
    }
    for (Thread attempt : attempts) {
      attempt.join();
    }
    done.set(true);
    renewer.join();

    // Every lease was released: all three connections are free again, none held by a lease renewed back.
    for (int i = 0; i < 3; i++) {
      assertThat(node.limits().acquire("mx", domain(), clock.instant())).as("connection %d", i + 1)
          .isInstanceOf(SharedGrant.Granted.class);
    }
    assertThat(registry.counter("relay.cluster.leases.lapsed").count()).isZero();
  }

  @Test
  void aDeadNodesSessionsAreFreedWithinTheLeaseTimeToLiveWhileALiveNodeKeepsItsOwn() {
    InstantSource clock = InstantSource.system();
    Duration ttl = Duration.ofSeconds(2);
    ClusterNode dying = node("relay-1", ttl, clock);
    ClusterNode survivor = node("relay-2", ttl, clock);
    for (int i = 0; i < 3; i++) {
      assertThat(ask(dying, clock)).isInstanceOf(SharedGrant.Granted.class);
    }

    // Renewed while its node lives: the sessions stay taken well past the time to live.
    await().during(ttl.plusMillis(500)).atMost(ttl.plusSeconds(2))
        .until(() -> ask(survivor, clock) instanceof SharedGrant.Wait wait && wait.reason().contains("at once"));

    dying.close(); // dies with three sessions under way: nothing released
    long died = System.nanoTime();
    await().atMost(ttl.plusSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> ask(survivor, clock) instanceof SharedGrant.Granted);
    assertThat(Duration.ofNanos(System.nanoTime() - died)).as("freed within the time to live").isLessThan(ttl.plusMillis(700));
  }

  @Test
  void withoutRedisNothingIsGrantedAndReadinessSaysSoUntilRedisIsBack() throws Exception {
    InstantSource clock = InstantSource.system();
    ClusterNode node = node("relay-1", Duration.ofSeconds(5), clock);
    await().atMost(Duration.ofSeconds(5)).until(() -> ask(node, clock) instanceof SharedGrant.Granted granted
        && release(node, granted, clock));
    assertThat(node.readiness().probe().get()).isEqualTo(new CheckResult.Ok());

    redis.stop();
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> ask(node, clock) instanceof SharedGrant.Unavailable);
      AtomicReference<CheckResult> ready = new AtomicReference<>(node.readiness().probe().get());
      assertThat(ready.get()).isInstanceOfSatisfying(CheckResult.Degraded.class,
          d -> assertThat(d.reason()).contains("cluster store 127.0.0.1:" + redis.port() + " unreachable")
              .contains("deliveries on shared limits wait"));
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> !(ask(node, clock) instanceof SharedGrant.Granted));
    } finally {
      redis.start();
    }

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ask(node, clock) instanceof SharedGrant.Granted granted && release(node, granted, clock));
    assertThat(node.readiness().probe().get()).isEqualTo(new CheckResult.Ok());
  }

  @Test
  void aConnectorSuspendedOnOneNodeIsSuspendedOnTheOtherUntilResumed() {
    InstantSource clock = InstantSource.system();
    ClusterNode one = node("relay-1", Duration.ofSeconds(5), clock);
    ClusterNode two = node("relay-2", Duration.ofSeconds(5), clock);
    AtomicReference<Map<String, String>> seenByTwo = new AtomicReference<>(Map.of());
    two.follow(seenByTwo::set);
    await().atMost(Duration.ofSeconds(5)).until(() -> ask(two, clock) instanceof SharedGrant.Granted granted
        && release(two, granted, clock));

    assertThat(one.suspensions().publish("m365", true)).isTrue();

    assertThat(ask(two, clock)).isInstanceOfSatisfying(SharedGrant.Wait.class,
        wait -> assertThat(wait.reason()).contains("connector suspended by node relay-1"));
    await().atMost(Duration.ofSeconds(2)).until(() -> seenByTwo.get().containsKey("m365"));

    assertThat(one.suspensions().publish("m365", false)).isTrue();
    await().atMost(Duration.ofSeconds(2)).until(() -> !seenByTwo.get().containsKey("m365"));
    assertThat(ask(two, clock)).isInstanceOf(SharedGrant.Granted.class);
  }

  @Test
  void everyLiveNodeIsListedWithItsAdminUrlAndOneThatLeftIsNot() {
    InstantSource clock = InstantSource.system();
    ClusterNode one = node("relay-1", Duration.ofSeconds(5), clock);
    ClusterNode two = node("relay-2", Duration.ofSeconds(5), clock);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(one.members().live())
        .extracting(ClusterMember::name, m -> m.adminUrl().map(URI::toString).orElse(""))
        .containsExactly(org.assertj.core.groups.Tuple.tuple("relay-1", "http://127.0.0.1:9100"),
            org.assertj.core.groups.Tuple.tuple("relay-2", "http://127.0.0.1:9101")));

    assertThat(one.members().peers()).as("the admin API's cluster views ask the others")
        .containsExactly(new relay.server.admin.ClusterPeer("relay-2", URI.create("http://127.0.0.1:9101/")));

    two.close();
    nodes.remove(two);
    assertThat(one.members().live()).extracting(ClusterMember::name).containsExactly("relay-1");
    assertThat(one.members().peers()).isEmpty();
  }

  @Test
  void aThrottlingReplySeenByOneNodeRestsTheMailboxOnTheOtherForTheThrottlePause() {
    MovableClock clock = new MovableClock();
    ClusterNode one = node("relay-1", Duration.ofSeconds(30), clock);
    ClusterNode two = node("relay-2", Duration.ofSeconds(30), clock);
    SharedGrant.Granted granted = (SharedGrant.Granted) ask(one, clock);

    one.limits().release(granted, true, Duration.ZERO, clock.instant()); // 432 4.3.2 from Microsoft

    assertThat(ask(two, clock)).isInstanceOfSatisfying(SharedGrant.Wait.class, wait -> {
      assertThat(wait.reason()).contains("paused after the upstream throttled");
      assertThat(wait.until()).isEqualTo(clock.instant().plus(MAILBOX.throttlePause()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    });
    clock.advance(MAILBOX.throttlePause());
    assertThat(ask(two, clock)).isInstanceOf(SharedGrant.Granted.class);
  }

  @Test
  void aRetryAfterLongerThanTheThrottlePauseRestsTheMailboxThatLongOnEveryNode() {
    MovableClock clock = new MovableClock();
    ClusterNode one = node("relay-1", Duration.ofSeconds(30), clock);
    ClusterNode two = node("relay-2", Duration.ofSeconds(30), clock);
    SharedGrant.Granted granted = (SharedGrant.Granted) ask(one, clock);

    one.limits().release(granted, true, Duration.ofSeconds(20), clock.instant()); // 429, Retry-After: 20

    clock.advance(MAILBOX.throttlePause());
    assertThat(ask(two, clock)).as("still resting after the configured pause").isInstanceOf(SharedGrant.Wait.class);
    clock.advance(Duration.ofSeconds(15));
    assertThat(ask(two, clock)).isInstanceOf(SharedGrant.Granted.class);
  }

  @Test
  void recipientsPerDayAreCountedOverBothNodesAndTheWaitEndsWhenTheOldestLeaveTheWindow() {
    MovableClock clock = new MovableClock();
    Pacing fivePerDay = new Pacing(3, 30, Duration.ofMinutes(1), 5, Duration.ofHours(24), 500,
        Duration.ofSeconds(5), Duration.ofMinutes(2));
    List<LaneClaim> threeRecipients =
        List.of(new LaneClaim("scanner@example.com", 1, 3, 3, Optional.of(fivePerDay)));
    ClusterNode one = node("relay-1", Duration.ofSeconds(30), clock);
    ClusterNode two = node("relay-2", Duration.ofSeconds(30), clock);
    java.time.Instant first = clock.instant();
    SharedGrant.Granted granted = (SharedGrant.Granted) one.limits().acquire("m365", threeRecipients, clock.instant());
    one.limits().release(granted, false, Duration.ZERO, clock.instant());
    clock.advance(Duration.ofHours(1));

    assertThat(two.limits().acquire("m365", threeRecipients, clock.instant()))
        .isInstanceOfSatisfying(SharedGrant.Wait.class, wait -> {
          assertThat(wait.reason()).contains("5 recipients per window reached");
          assertThat(wait.until()).isEqualTo(first.plus(Duration.ofHours(24)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        });
    clock.advance(Duration.ofHours(23));
    assertThat(two.limits().acquire("m365", threeRecipients, clock.instant())).isInstanceOf(SharedGrant.Granted.class);
  }

  private static boolean release(ClusterNode node, SharedGrant.Granted granted, InstantSource clock) {
    node.limits().release(granted, false, Duration.ZERO, clock.instant());
    return true;
  }
}
