package relay.core.schedule;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.Transport;
import relay.core.dsn.DsnOutbox;
import relay.core.metrics.RelayMetrics;
import relay.core.envelope.MessageId;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.core.tracking.TrackingLog;

/**
 * Hands queued messages to one outbound connector's transport when they are due, with at most
 * {@code maxInFlight} attempts at once, each on its own virtual thread.
 *
 * <p>Two ways to run it. {@link #runDue()} works out from the injected clock what is due now and
 * starts those attempts; tests with a test clock call it directly. {@link #start()} adds a driver
 * thread that calls {@code runDue()}, then waits until the next message is due or a new one is
 * {@linkplain #submit submitted}.
 *
 * <p>Messages held for a configuration problem are kept out of the due queue until
 * {@link #release} is called for them.
 *
 * <p>Call order: construct, {@link #submit} the recovered messages, {@link #start()}, then
 * {@code submit} each newly accepted message; {@link #close()} at shutdown (attempts under way are
 * interrupted; their messages stay in the spool and are recovered at the next start).
 *
 * <p>Threading: every method is safe to call from any thread.
 */
public final class DeliveryScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final Spool spool;
  private final InstantSource clock;
  private final RetrySchedule schedule;
  private final DeliveryQueue queue = new DeliveryQueue();
  private final DeliveryAttempt attempt;
  private final Semaphore permits;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition wakeUp = wakeLock.newCondition();
  private boolean woken;
  private volatile boolean closed;
  private volatile Thread driver;

  /**
   * @param spool where delivery state is recorded
   * @param transport the connector's transport
   * @param connector the connector name, for logs and metrics
   * @param maxInFlight most attempts under way at once through this connector
   * @param policy retry timing
   * @param clock the source of {@code now}
   * @param random jitter for retry times
   * @param metrics where attempts and delays are counted
   */
  public DeliveryScheduler(
      Spool spool,
      Transport transport,
      String connector,
      int maxInFlight,
      RetryPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      RelayMetrics metrics) {
    this(spool, transport, connector, maxInFlight, policy, clock, random, metrics, TrackingLog.NONE, Optional.empty());
  }

  /**
   * A scheduler that records outcomes in {@code tracking} and sends delivery status notifications
   * through {@code outbox} for recipients that fail permanently or expire, and delay notices for
   * messages that wait long.
   *
   * @param tracking where each recipient's outcome of each attempt is recorded
   * @param outbox where notifications are queued; empty for none
   */
  public DeliveryScheduler(
      Spool spool,
      Transport transport,
      String connector,
      int maxInFlight,
      RetryPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      RelayMetrics metrics,
      TrackingLog tracking,
      Optional<DsnOutbox> outbox) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.connector = Objects.requireNonNull(connector, "connector");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.schedule = policy.schedule();
    this.permits = new Semaphore(maxInFlight);
    this.attempt = new DeliveryAttempt(
        Objects.requireNonNull(spool, "spool"), Objects.requireNonNull(transport, "transport"),
        connector, policy, clock, Objects.requireNonNull(random, "random"), Objects.requireNonNull(metrics, "metrics"),
        new AttemptNotices(outbox, policy.schedule()), Objects.requireNonNull(tracking, "tracking"));
  }

  /**
   * Queues a message (new or recovered) for delivery at its {@code nextAttemptAt}; duplicates are
   * ignored. Once {@linkplain #start() started}, a message due now is started from the caller's
   * thread instead of waking the driver for it: one thread hand-off fewer per accepted message.
   */
  public void submit(QueuedMessage message) {
    if (!queue.add(message)) {
      return;
    }
    if (driver != null && !closed && !message.nextAttemptAt().isAfter(clock.instant())) {
      runDue();
    } else {
      wake();
    }
  }

  public void submitAll(Collection<QueuedMessage> messages) {
    messages.forEach(this::submit);
  }

  /**
   * Starts an attempt for every message due now, each on its own virtual thread, at most
   * {@code maxInFlight} under way at once.
   *
   * @return completes when every attempt started by this call has ended and its message is queued
   *     again or gone
   */
  public CompletableFuture<Void> runDue() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (QueuedMessage message : queue.takeDue(clock.instant())) {
      try {
        started.add(CompletableFuture.runAsync(() -> attemptOne(message), workers));
      } catch (RejectedExecutionException e) {
        // Draining or closed meanwhile: the message goes back, for drain() to hand over.
        queue.finish(message.id(), Optional.of(message));
      }
    }
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
  }

  /** Starts the driver thread that runs due messages as time passes. */
  public synchronized void start() {
    if (driver != null) {
      throw new IllegalStateException("already started");
    }
    driver = Thread.ofVirtual().name("delivery-" + connector).start(this::drive);
  }

  /**
   * Releases a held message (its connector's configuration was fixed, or an operator decided to
   * try again): its held recipients become pending and it is due at once. The new state is
   * recorded in the spool first.
   *
   * @return false when no message with that id is held by this scheduler
   */
  public boolean release(MessageId id) {
    Optional<QueuedMessage> taken = queue.release(id);
    if (taken.isEmpty()) {
      return false;
    }
    QueuedMessage message = taken.get();
    List<RecipientState> states = message.recipients().stream()
        .map(r -> r.status() == RecipientStatus.HELD
            ? new RecipientState(r.recipient(), RecipientStatus.PENDING, r.attempts(), r.lastReply())
            : r)
        .toList();
    QueuedMessage released = new QueuedMessage(
        message.id(), message.envelope(), states, message.attempts(), clock.instant(), message.bodySize());
    try {
      spool.update(released);
    } catch (IOException e) {
      // The release still happens: at worst the message is held again after a crash, never lost.
      log.error("message {}: could not record its release in the spool", id, e);
    }
    log.info("message {}: released for delivery via '{}'", id, connector);
    submit(released);
    return true;
  }

  /** Messages held for a configuration problem, waiting for {@link #release}. */
  public List<QueuedMessage> held() {
    return queue.held();
  }

  /** Messages waiting for their next attempt. */
  public int waiting() {
    return queue.waiting();
  }

  /** Messages whose attempt is under way. */
  public int inFlight() {
    return queue.inFlight();
  }

  /**
   * Stops taking up messages, lets the attempts under way finish (up to {@code patience}), and
   * returns every message still waiting, with its latest state, so another scheduler can take them
   * over: what a configuration reload does when a connector changes or goes away. Attempts still
   * running after {@code patience} are interrupted; their messages stay in the spool as they were.
   */
  public List<QueuedMessage> drain(Duration patience) {
    closed = true;
    Thread d;
    synchronized (this) {
      d = driver;
    }
    if (d != null) {
      d.interrupt();
      try {
        d.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("connector '{}': delivery attempts still running after {}, interrupting them", connector, patience);
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return queue.takeAll();
  }

  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      if (driver != null) {
        driver.interrupt();
      }
    }
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("connector '{}': delivery attempts still running at shutdown", connector);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void attemptOne(QueuedMessage message) {
    Optional<QueuedMessage> next = Optional.of(message);
    try {
      permits.acquire();
      try {
        next = attempt.run(message);
      } finally {
        permits.release();
      }
    } catch (InterruptedException e) {
      // Shutting down: the message stays in the spool as it was and is recovered at the next start.
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("message {}: delivery attempt failed unexpectedly; retrying later", message.id(), e);
      next = Optional.of(message.withState(message.recipients(),
          message.attempts(), clock.instant().plus(schedule.initialDelay())));
    } finally {
      queue.finish(message.id(), next);
      if (next.isPresent()) {
        wake(); // the driver may have to wait for an earlier time now
      }
    }
  }

  private void wake() {
    wakeLock.lock();
    try {
      woken = true;
      wakeUp.signalAll();
    } finally {
      wakeLock.unlock();
    }
  }

  private void drive() {
    try {
      while (!closed) {
        runDue();
        awaitNextDueOrWake();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitNextDueOrWake() throws InterruptedException {
    wakeLock.lock();
    try {
      while (!woken && !closed) {
        Optional<java.time.Instant> next = queue.nextDue();
        if (next.isEmpty()) {
          wakeUp.await();
          continue;
        }
        long nanos = Duration.between(clock.instant(), next.get()).toNanos();
        if (nanos <= 0) {
          break;
        }
        wakeUp.awaitNanos(nanos);
      }
      woken = false;
    } finally {
      wakeLock.unlock();
    }
  }
}
