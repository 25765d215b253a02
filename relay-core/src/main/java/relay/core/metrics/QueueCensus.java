package relay.core.metrics;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.schedule.DeliveryScheduler;
import relay.core.spool.Spool;

/**
 * Counts every outbound connector's queue for the metrics ({@link ConnectorQueue}) without reading
 * the queue: messages in memory from the connector's scheduler, parked and held ones from the tallies
 * the spool keeps of its index, the oldest from queue ids (which begin with the time of arrival).
 * The cost follows the number of connectors and the in-memory windows (a thousand ids each by
 * default), never the number of messages queued: a relay with a million deferred messages answers a
 * scrape as quickly as an idle one.
 *
 * <p>{@link #latest()} reuses a census for {@code maxAge}, so that several scrapers, or several
 * gauges read in one scrape, cost one census. A connector whose scheduler is gone (removed from the
 * configuration) but whose messages still wait in the spool is listed with those messages as held:
 * they wait for an operator (or a configuration that has the connector again), as {@code
 * relay_messages_held} counts them.
 *
 * <p>Threading: thread-safe; one census at a time.
 */
public final class QueueCensus {

  /** How long a census is reused by {@link #latest()} in a running relay. */
  public static final Duration MAX_AGE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(QueueCensus.class);

  private final Spool spool;
  private final Supplier<Map<String, DeliveryScheduler>> schedulers;
  private final InstantSource clock;
  private final Duration maxAge;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private Map<String, ConnectorQueue> last;
  private Instant takenAt;

  /**
   * @param spool where parked and held messages are counted
   * @param schedulers the running schedulers by connector name, as of now
   * @param clock when a census was taken
   * @param maxAge how long {@link #latest()} reuses a census
   */
  public QueueCensus(
      Spool spool, Supplier<Map<String, DeliveryScheduler>> schedulers, InstantSource clock, Duration maxAge) {
    this.spool = Objects.requireNonNull(spool, "spool");
    this.schedulers = Objects.requireNonNull(schedulers, "schedulers");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
  }

  /** The census taken less than {@code maxAge} ago, else a new one. By connector name, sorted. */
  public Map<String, ConnectorQueue> latest() {
    lock.lock();
    try {
      Instant now = clock.instant();
      // A clock set back makes the old census look young: take a new one then too.
      if (last == null || !now.isBefore(takenAt.plus(maxAge)) || now.isBefore(takenAt)) {
        last = take();
        takenAt = now;
      }
      return last;
    } finally {
      lock.unlock();
    }
  }

  /** A census taken now. By connector name, sorted. */
  public Map<String, ConnectorQueue> take() {
    Map<String, DeliveryScheduler> running = schedulers.get();
    Map<String, ConnectorQueue> census = new TreeMap<>();
    running.forEach((connector, scheduler) -> census.put(connector, new ConnectorQueue(
        connector, scheduler.inMemory(), count(connector, Count.PARKED), count(connector, Count.HELD),
        earliest(scheduler.oldestInMemory(), oldestWaiting(connector)), scheduler.mailboxUse())));
    for (String connector : parkedConnectors()) {
      if (!running.containsKey(connector)) {
        long waiting = count(connector, Count.PARKED) + count(connector, Count.HELD);
        if (waiting > 0) {
          census.put(connector, new ConnectorQueue(connector, 0, 0, waiting, oldestWaiting(connector), List.of()));
        }
      }
    }
    return Collections.unmodifiableMap(census);
  }

  private enum Count { PARKED, HELD }

  // A spool that cannot answer counts nothing this time; the readiness check reports a failing spool.
  private long count(String connector, Count which) {
    try {
      return switch (which) {
        case PARKED -> spool.parkedCount(connector);
        case HELD -> spool.heldCount(connector);
      };
    } catch (IOException e) {
      log.warn("connector '{}': could not count its {} messages: {}", connector,
          which == Count.PARKED ? "deferred" : "held", e.toString());
      return 0;
    }
  }

  private Optional<Instant> oldestWaiting(String connector) {
    try {
      return spool.oldestWaiting(connector);
    } catch (IOException e) {
      log.warn("connector '{}': could not tell its oldest waiting message: {}", connector, e.toString());
      return Optional.empty();
    }
  }

  private List<String> parkedConnectors() {
    try {
      return spool.parkedConnectors();
    } catch (IOException e) {
      log.warn("could not list the connectors with parked messages: {}", e.toString());
      return List.of();
    }
  }

  private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isPresent() && b.get().isBefore(a.get()) ? b : a;
  }
}
