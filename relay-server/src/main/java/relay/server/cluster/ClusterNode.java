package relay.server.cluster;

import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.model.ClusterConfig;
import relay.core.limits.SharedLimits;
import relay.server.health.Check;

/**
 * This node's part in a cluster: one connection to the shared store and what runs over it (the
 * shared lane limits, the membership, connector suspensions), with one ticker that connects when
 * there is no connection yet, says the node is alive, renews its leases every third of their time to
 * live and makes the node's connectors follow the cluster's suspensions.
 *
 * <p>Made only for a configuration with a {@code cluster} section; without one no Redis client
 * exists. Starting never waits for the store: a store that is down at start-up is connected to by
 * the ticker once it is up, and meanwhile deliveries on shared limits wait.
 *
 * <p>Call order: {@link #start}, then {@link #follow} once the connectors exist; {@link #close} at
 * shutdown, after the delivery schedulers (their attempts release their leases first).
 *
 * <p>Threading: the ticker is one virtual thread; every method is safe to call from any thread.
 */
public final class ClusterNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  private static final Duration LONGEST_TICK = Duration.ofSeconds(1);

  private final ClusterConfig config;
  private final StoreConnection connection;
  private final StoreHealth health;
  private final RedisLimits limits;
  private final ClusterMembers members;
  private final ConnectorSuspensions suspensions;
  private final InstantSource clock;
  private final Duration tick;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("cluster-ticker").factory());
  private volatile Consumer<Map<String, String>> follower = suspended -> { };
  private final AtomicBoolean closed = new AtomicBoolean();
  private Instant lastRenewal = Instant.MIN;

  private ClusterNode(ClusterConfig config, MeterRegistry registry, InstantSource clock, Duration tick) {
    this.config = config;
    this.clock = clock;
    this.tick = tick;
    this.connection = new StoreConnection(config.redis());
    this.health = new StoreHealth(connection.where(), registry);
    StoreKeys keys = new StoreKeys(config.keyPrefix());
    this.limits = new RedisLimits(connection, health, keys, config.nodeName(), config.leaseTtl(), clock, registry);
    this.members = new ClusterMembers(connection, health, keys, config.nodeName(), config.adminUrl(), config.leaseTtl(), clock);
    this.suspensions = new ConnectorSuspensions(connection, health, keys, config.nodeName(), clock);
  }

  /** Joins the cluster: the ticker starts at once and connects in the background. */
  public static ClusterNode start(ClusterConfig config, MeterRegistry registry, InstantSource clock) {
    Duration third = config.leaseTtl().dividedBy(3);
    return start(config, registry, clock, third.compareTo(LONGEST_TICK) < 0 ? third : LONGEST_TICK);
  }

  /** As above, ticking every {@code tick} (tests make it short). */
  static ClusterNode start(ClusterConfig config, MeterRegistry registry, InstantSource clock, Duration tick) {
    ClusterNode node = new ClusterNode(Objects.requireNonNull(config, "config"), registry, clock, tick);
    node.ticker.scheduleWithFixedDelay(node::tickSafely, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    log.info("cluster node '{}' joining through {} (key prefix '{}', lease time to live {})", config.nodeName(),
        node.connection.where(), config.keyPrefix(), config.leaseTtl());
    return node;
  }

  /** The lane limits every node shares. */
  public SharedLimits limits() {
    return limits;
  }

  /** The live nodes. */
  public ClusterMembers members() {
    return members;
  }

  /** Connector suspensions shared by every node. */
  public ConnectorSuspensions suspensions() {
    return suspensions;
  }

  /** The {@code cluster-store} readiness check: ok, or degraded while the store is unreachable. */
  public Check readiness() {
    return new Check("cluster-store", health::readiness);
  }

  /**
   * Hands every tick's reading of the suspended connectors (name -> who and when) to {@code
   * follower}, which suspends and resumes this node's connectors to match. Not called while the
   * store cannot be read: the connectors then stay as they are.
   */
  public void follow(Consumer<Map<String, String>> follower) {
    this.follower = Objects.requireNonNull(follower, "follower");
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: the ticker must survive anything.
      log.error("cluster node: tick failed; trying again", e);
    }
  }

  private void tick() {
    try {
      connection.connect();
    } catch (RedisException e) {
      health.down(e);
      return;
    }
    members.heartbeat();
    Instant now = clock.instant();
    if (!now.isBefore(lastRenewal.plus(config.leaseTtl().dividedBy(3)).minus(tick))) {
      limits.renew();
      lastRenewal = now;
    }
    suspensions.read().ifPresent(follower);
  }

  /**
   * Leaves the cluster: stops renewing (unreleased leases expire) and takes the node off the list.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    limits.close();
    members.leave();
    connection.close();
  }
}
