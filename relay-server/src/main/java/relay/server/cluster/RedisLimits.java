package relay.server.cluster;

import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.Pacing;
import relay.core.limits.LaneClaim;
import relay.core.limits.SharedGrant;
import relay.core.limits.SharedLimits;

/**
 * Lane limits shared through Redis: each decision is one server-side script ({@code acquire.lua},
 * {@code release.lua}, {@code renew.lua}), so two nodes asking at the same moment never both get
 * the last turn.
 *
 * <p>Per lane: a sorted set of leases scored by their expiry (a lease not renewed within the time to
 * live, because its node died, no longer counts); a sorted set of messages scored by when they count
 * from (in flight: the lease's expiry; sent: when they finished, as {@code MailboxPace} counts); a
 * sorted set and a running sum of recipients; the time a throttling reply rests the lane until. The
 * connector's suspension is read in the same script.
 *
 * <p>Time comes from the callers' clock (every node's clock is assumed NTP-synchronised: a skew of
 * {@code s} shifts windows and expiries by {@code s}). The node renews its own leases every third of
 * the time to live ({@link #renew}, called by the node's ticker).
 *
 * <p>When the store cannot be asked, {@link #acquire} answers {@link SharedGrant.Unavailable} (ask
 * again in {@link #UNAVAILABLE_RETRY}): no turn without the store, so no node exceeds a limit.
 *
 * <p>Threading: safe for concurrent use; calls block their (virtual) thread up to the command
 * timeout and hold no lock meanwhile.
 */
public final class RedisLimits implements SharedLimits {

  private static final Logger log = LoggerFactory.getLogger(RedisLimits.class);

  /** How soon a lane that is full on other nodes is asked again: they tell nobody when they end. */
  static final Duration FULL_RECHECK = Duration.ofMillis(250);
  /** How soon an attempt asks again while the store is unreachable. */
  static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(1);

  /**
   * A lease this node holds, remembered for renewal and release. Its lock keeps the two apart: a
   * renewal that ran just after the release would put the released lease back in the store, where
   * it would hold a slot nobody uses until it expired.
   */
  private record Held(String connector, List<LaneClaim> claims, ReentrantLock lock) {}

  private final StoreConnection connection;
  private final StoreHealth health;
  private final StoreKeys keys;
  private final Duration ttl;
  private final InstantSource clock;
  private final String leasePrefix;
  private final AtomicLong leases = new AtomicLong();
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final LuaScript acquire = LuaScript.load("acquire");
  private final LuaScript release = LuaScript.load("release");
  private final LuaScript renew = LuaScript.load("renew");
  private final Counter lapsed;
  private volatile boolean closed;

  RedisLimits(StoreConnection connection, StoreHealth health, StoreKeys keys, String node, Duration ttl,
      InstantSource clock, MeterRegistry registry) {
    this.lapsed = Counter.builder("relay.cluster.leases.lapsed")
        .description("Leases of attempts under way found lapsed at renewal (the node did not renew within lease-ttl)")
        .register(registry);
    this.connection = Objects.requireNonNull(connection, "connection");
    this.health = Objects.requireNonNull(health, "health");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
    // Unique over restarts of the node: a lease id of the previous run may still be in the store.
    this.leasePrefix = node + ":" + Long.toString(clock.millis(), 36) + ":";
  }

  @Override
  public SharedGrant acquire(String connector, List<LaneClaim> claims, Instant now) {
    if (closed) {
      return new SharedGrant.Unavailable(now.plus(UNAVAILABLE_RETRY), "shutting down");
    }
    String id = leasePrefix + leases.incrementAndGet();
    List<String> k = new ArrayList<>(1 + claims.size() * 5);
    k.add(keys.suspended());
    List<String> a = new ArrayList<>(5 + claims.size() * 8);
    a.addAll(List.of(Long.toString(now.toEpochMilli()), Long.toString(ttl.toMillis()), id, connector,
        Long.toString(FULL_RECHECK.toMillis())));
    for (LaneClaim claim : claims) {
      k.addAll(List.of(keys.lane(connector, claim.lane())));
      Pacing p = claim.pacing().orElse(null);
      a.addAll(List.of(Integer.toString(claim.maxAtOnce()), p == null ? "0" : "1",
          Integer.toString(claim.transactions()), Integer.toString(claim.recipients()),
          p == null ? "0" : Integer.toString(p.messagesPerWindow()), p == null ? "0" : Long.toString(p.messageWindow().toMillis()),
          p == null ? "0" : Integer.toString(p.recipientsPerWindow()), p == null ? "0" : Long.toString(p.recipientWindow().toMillis())));
    }
    List<Object> answer;
    long call = health.calling();
    try {
      answer = acquire.run(connection.commands(), k.toArray(String[]::new), a.toArray(String[]::new));
      health.up(call);
    } catch (RedisException e) {
      // A lease the script counted before the answer was lost expires by itself within the ttl.
      health.down(e);
      return new SharedGrant.Unavailable(now.plus(UNAVAILABLE_RETRY), "cluster store unreachable");
    }
    String verdict = String.valueOf(answer.get(0));
    if (verdict.equals("ok")) {
      held.put(id, new Held(connector, claims, new ReentrantLock()));
      return new SharedGrant.Granted(id);
    }
    int lane = ((Number) answer.get(1)).intValue();
    Instant until = Instant.ofEpochMilli(((Number) answer.get(2)).longValue());
    return new SharedGrant.Wait(lane, until, String.valueOf(answer.get(3)));
  }

  @Override
  public void release(SharedGrant.Granted grant, boolean throttled, Duration restAtLeast, Instant now) {
    Held lease = held.get(grant.id());
    if (lease == null) {
      return;
    }
    lease.lock().lock();
    try {
      if (held.remove(grant.id()) != null) {
        release(grant, lease, throttled, restAtLeast, now);
      }
    } finally {
      lease.lock().unlock();
    }
  }

  private void release(SharedGrant.Granted grant, Held lease, boolean throttled, Duration restAtLeast, Instant now) {
    List<String> k = new ArrayList<>(lease.claims().size() * 3);
    List<String> a = new ArrayList<>(5 + lease.claims().size() * 4);
    a.addAll(List.of(Long.toString(now.toEpochMilli()), grant.id(), throttled ? "1" : "0", Long.toString(ttl.toMillis()),
        Long.toString(restAtLeast.toMillis())));
    for (LaneClaim claim : lease.claims()) {
      String[] lane = keys.lane(lease.connector(), claim.lane());
      k.addAll(List.of(lane[0], lane[1], lane[4]));
      Pacing p = claim.pacing().orElse(null);
      a.addAll(List.of(p == null ? "0" : "1", Integer.toString(claim.transactions()),
          p == null ? "0" : Long.toString(p.throttlePause().toMillis()),
          p == null ? "0" : Long.toString(p.messageWindow().toMillis())));
    }
    long call = health.calling();
    try {
      release.runForNumber(connection.commands(), k.toArray(String[]::new), a.toArray(String[]::new));
      health.up(call);
    } catch (RedisException e) {
      // The lease expires by itself within the ttl; until then it counts, which errs on the safe side.
      health.down(e);
    }
  }

  /**
   * Renews every lease this node holds, so that its attempts under way keep their lanes. Called by
   * the node's ticker every third of the time to live.
   */
  void renew() {
    if (closed || held.isEmpty()) {
      return;
    }
    long lapsedNow = 0;
    for (Map.Entry<String, Held> entry : held.entrySet()) {
      Held lease = entry.getValue();
      lease.lock().lock();
      try {
        if (held.get(entry.getKey()) != lease) {
          continue; // released meanwhile
        }
        List<String> k = new ArrayList<>(lease.claims().size() * 2);
        List<String> a = new ArrayList<>(3 + lease.claims().size() * 3);
        a.addAll(List.of(Long.toString(clock.millis()), Long.toString(ttl.toMillis()), entry.getKey()));
        for (LaneClaim claim : lease.claims()) {
          String[] lane = keys.lane(lease.connector(), claim.lane());
          k.addAll(List.of(lane[0], lane[1]));
          Pacing p = claim.pacing().orElse(null);
          a.addAll(List.of(p == null ? "0" : "1", Integer.toString(claim.transactions()),
              p == null ? "0" : Long.toString(p.messageWindow().toMillis())));
        }
        long call = health.calling();
        lapsedNow += renew.runForNumber(connection.commands(), k.toArray(String[]::new), a.toArray(String[]::new));
        health.up(call);
      } catch (RedisException e) {
        health.down(e);
        break; // the next tick tries again
      } finally {
        lease.lock().unlock();
      }
    }
    if (lapsedNow > 0) {
      lapsed.increment(lapsedNow);
      log.warn("{} lease(s) of attempts under way had lapsed before this node renewed them (it did not renew within "
          + "lease-ttl {}: the node stalled, or the store was out of reach); other nodes may have used those slots "
          + "meanwhile, so a mailbox may briefly have had more sessions than its limit", lapsedNow, ttl);
    }
  }

  /** Leases this node holds now. */
  int held() {
    return held.size();
  }

  /**
   * Stops renewing: leases still held expire by themselves within the time to live (attempts under
   * way are ended by their schedulers, which release theirs first).
   */
  @Override
  public void close() {
    closed = true;
  }
}
