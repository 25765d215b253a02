package relay.server.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.server.health.CheckResult;

/**
 * Whether the shared store answers, as the node's latest calls to it found: the one place that logs a
 * change (once per change, never per message), counts errors ({@code relay_cluster_store_errors_total})
 * and shows the state ({@code relay_cluster_store_up} 1 or 0, and the {@code cluster-store}
 * readiness check).
 *
 * <p>Readiness stays ready while the store is unreachable, with a {@code degraded} reason: every
 * node shares the one store, so failing readiness would take every node out of the load balancer
 * at once, and mail must keep being accepted and queued. Deliveries on shared limits wait meanwhile.
 *
 * <p>Threading: safe for concurrent use; {@link #up} and {@link #down} take turns (a failure and a
 * success recorded at once must not interleave), the state is read without a lock.
 */
final class StoreHealth {

  private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

  private static final int UNKNOWN = -1;
  private static final int DOWN = 0;
  private static final int UP = 1;

  private final String where;
  private final AtomicInteger state = new AtomicInteger(UNKNOWN);
  /** Tickets handed out by {@link #calling()}. */
  private final AtomicLong calls = new AtomicLong();
  /** The last ticket handed out when a call last failed: calls up to it cannot mark the store up. Guarded by this. */
  private long failedAfter;
  private final Counter errors;
  private volatile String lastError = "not connected yet";

  StoreHealth(String where, MeterRegistry registry) {
    this.where = where;
    Gauge.builder("relay.cluster.store.up", () -> state.get() == UP ? 1 : 0)
        .description("1 while the cluster's shared store (Redis) answers, else 0").register(registry);
    this.errors = Counter.builder("relay.cluster.store.errors")
        .description("calls to the cluster's shared store (Redis) that failed").register(registry);
  }

  /**
   * A call to the store begins: the ticket to hand to {@link #up(long)} when it answers. Calls in
   * flight overlap, and one that began before another failed may answer after that failure was
   * recorded (its reply was on its way before the store went): only a call that began after the
   * latest failure may say the store is up again.
   */
  long calling() {
    return calls.incrementAndGet();
  }

  /** The call with {@code ticket} (from {@link #calling()}) answered. */
  synchronized void up(long ticket) {
    if (ticket <= failedAfter) {
      return; // began before the latest failure: says nothing about the store now
    }
    int before = state.getAndSet(UP);
    if (before == DOWN) {
      log.info("cluster store {} reachable again: deliveries on shared limits resume", where);
    } else if (before == UNKNOWN) {
      log.info("cluster store {} connected: lane limits are shared with the other nodes", where);
    }
  }

  /** A call failed: the store is taken to be down until a call answers again. */
  synchronized void down(RuntimeException cause) {
    failedAfter = calls.get();
    errors.increment();
    lastError = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (state.getAndSet(DOWN) != DOWN) {
      log.warn("cluster store {} unreachable ({}): deliveries on shared limits wait until it is back; "
          + "mail is still accepted and queued", where, lastError);
    }
  }

  /** Whether the last call answered. */
  boolean isUp() {
    return state.get() == UP;
  }

  /** For {@code /readyz}: ok, or degraded with the reason. */
  CheckResult readiness() {
    return switch (state.get()) {
      case UP -> CheckResult.ok();
      case UNKNOWN -> CheckResult.degraded("cluster store " + where + " not connected yet: deliveries on shared limits wait");
      default -> CheckResult.degraded("cluster store " + where + " unreachable (" + lastError
          + "): deliveries on shared limits wait");
    };
  }
}
