package relay.core.schedule;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.dsn.DsnOutbox;
import relay.core.dsn.RecipientReport;
import relay.core.envelope.MessageId;
import relay.core.limits.NodeLocalLimits;
import relay.core.limits.SharedLimits;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.core.tracking.TrackingLog;

/**
 * Hands one outbound connector's queued messages to its transport when they are due, at most
 * {@code maxInFlight} attempts at once, each on its own virtual thread, while holding at most a
 * window of {@code window} messages in memory whatever the queue holds.
 *
 * <p>When and how much at once are kept apart. The window (a {@link DeliveryQueue}) decides which
 * message is due next; {@link ReadyLanes} decide whether it may go now, below the connector's
 * slots: per destination domain or per mailbox, as the connector's {@link LaneRule} says (sessions,
 * messages per minute, recipients per day, a rest after throttling). A due message whose lane is
 * busy waits in that lane's line; that is not an attempt and costs no thread. Transports never gate.
 *
 * <p>Memory: a message stays in the window while it is in flight or due within {@link #HORIZON};
 * any other (a retry minutes away, held mail, mail that finds the window full) is parked in the
 * {@link Spool}, which finds it again when it is due. The window is refilled from the spool when it
 * is less than half full, so a backlog of any size drains through it at the connector's rate. Only
 * as many attempts are started as there are free slots: a due message waiting for a slot is not an
 * attempt and costs no thread.
 *
 * <p>Two ways to run it. {@link #runDue()} works out from the injected clock what is due now and
 * starts those attempts; tests with a test clock call it directly. {@link #start()} adds a driver
 * thread that calls {@code runDue()}, then waits until the next message is due or something changes.
 *
 * <p>Held mail (a configuration problem) and suspended messages wait in the spool until {@link
 * #release}; a {@linkplain #suspend() suspended} connector starts no attempts until {@link #resume}.
 * Connector, route and TLS requirement are part of the queued message and survive all of these.
 *
 * <p>Call order: construct, {@link #submit} new mail and {@link #recovered} messages (in any order,
 * from any thread), {@link #start()}; {@link #close()} at shutdown (attempts under way are
 * interrupted; their messages stay in the spool and are recovered at the next start).
 *
 * <p>Threading: every method is safe to call from any thread.
 */
public final class DeliveryScheduler implements AutoCloseable {

  /** Messages due within this are kept in memory rather than parked (the index works in minutes). */
  static final Duration HORIZON = Duration.ofSeconds(60);
  /** The reason recorded for recipients of a suspended message. */
  public static final String SUSPENDED = "suspended by operator";
  /** The reason given in the failure notice of a message an operator removed with a bounce. */
  public static final String REMOVED_BY_OPERATOR = "removed from the queue by an operator";
  /** The window when none is configured. */
  public static final int DEFAULT_WINDOW = 1_000;
  /** Most held messages listed at once. */
  private static final int HELD_LISTED = 10_000;
  /** The longest pause after an unreachable upstream. */
  private static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);
  /** The driver looks at the spool at least this often, for parked mail and clock jumps. */
  private static final Duration LONGEST_SLEEP = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final Spool spool;
  private final InstantSource clock;
  private final RetrySchedule schedule;
  private final DeliveryQueue queue;
  private final DeliveryAttempt attempt;
  private final Semaphore slots;
  private final ReadyLanes lanes;
  private final DueDriver driver;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final ReentrantLock refilling = new ReentrantLock();
  private final boolean pauseWhenUnreachable;
  private final Optional<DsnOutbox> outbox;
  private volatile Instant pausedUntil = Instant.MIN;
  private volatile boolean suspended;
  private volatile boolean closed;

  /**
   * A scheduler that records outcomes in {@code tracking} and sends delivery status notifications
   * through {@code outbox} for recipients that fail permanently or expire, and delay notices for
   * messages that wait long.
   *
   * @param spool where delivery state is recorded and where messages outside the window wait
   * @param transport the connector's transport
   * @param connector the connector name, for logs and metrics
   * @param limits attempts at once, the in-memory window, whether an unreachable upstream pauses
   * @param policy retry timing
   * @param clock the source of {@code now}
   * @param random jitter for retry times
   * @param tracking the observation port: each recipient's outcome of each attempt is recorded there
   *     (and from there counted and logged)
   * @param outbox where notifications are queued; empty for none
   */
  public DeliveryScheduler(
      Spool spool,
      Transport transport,
      String connector,
      LaneLimits limits,
      RetryPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      TrackingLog tracking,
      Optional<DsnOutbox> outbox) {
    this(spool, transport, connector, limits, policy, clock, random, tracking, outbox, new NodeLocalLimits());
  }

  /**
   * As above, with the lanes' limits also kept in {@code shared}, a store that other Relay nodes
   * share: each attempt asks it for its lanes on its own virtual thread before it starts, and waits
   * in its lane's line (no attempt counted) while the store says "not yet" or cannot be reached.
   */
  public DeliveryScheduler(
      Spool spool,
      Transport transport,
      String connector,
      LaneLimits limits,
      RetryPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      TrackingLog tracking,
      Optional<DsnOutbox> outbox,
      SharedLimits shared) {
    this.connector = Objects.requireNonNull(connector, "connector");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.schedule = policy.schedule();
    this.slots = new Semaphore(limits.maxInFlight());
    this.queue = new DeliveryQueue(Math.max(limits.window(), limits.maxInFlight()));
    // One lane may fill three quarters of the window, so that the others always have room.
    this.lanes = new ReadyLanes(connector, limits.lanes(), ReplyClassifier.standard(), queue.capacity() * 3 / 4, HORIZON,
        shared);
    this.driver = new DueDriver("delivery-" + connector, clock, this::runDue, this::nextWake);
    this.pauseWhenUnreachable = limits.pauseWhenUnreachable();
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.attempt = new DeliveryAttempt(
        spool, Objects.requireNonNull(transport, "transport"),
        connector, policy, clock, Objects.requireNonNull(random, "random"),
        new AttemptNotices(outbox, policy.schedule()), Objects.requireNonNull(tracking, "tracking"),
        this::upstreamUnreachable);
  }

  /**
   * Queues a newly accepted message: it waits in the line of new mail, which shares the connector
   * with the backlog. Once {@linkplain #start() started}, a message due now is started from the
   * caller's thread: one thread hand-off fewer per accepted message.
   */
  public void submit(QueuedMessage message) {
    take(message, message.attempts() == 0);
  }

  /** Queues a message found on disk (recovery, a drained connector): it waits by its due time. */
  public void recovered(QueuedMessage message) {
    take(message, false);
  }

  public void submitAll(Collection<QueuedMessage> messages) {
    messages.forEach(this::submit);
  }

  private void take(QueuedMessage message, boolean isNew) {
    if (!keep(message, isNew)) {
      return;
    }
    if (driver.started() && !closed && !message.nextAttemptAt().isAfter(clock.instant())) {
      runDue();
    } else {
      driver.wake();
    }
  }

  /** Puts a message in the window, or parks it; true when it went into the window. */
  private boolean keep(QueuedMessage message, boolean isNew) {
    if (!message.isHeld() && !message.nextAttemptAt().isAfter(clock.instant().plus(HORIZON))) {
      switch (queue.add(message, isNew)) {
        case ADDED -> {
          return true;
        }
        case DUPLICATE -> {
          return false;
        }
        case FULL -> { /* parked below */ }
      }
    }
    park(message);
    return false;
  }

  private void park(QueuedMessage message) {
    try {
      spool.park(message.connector() == null ? message.withConnector(connector) : message);
    } catch (IOException | RuntimeException e) {
      // Not lost: the message is on disk and the next start's recovery finds it.
      log.error("message {}: could not park it in the spool index; it waits until the next restart", message.id(), e);
    }
  }

  /**
   * Starts an attempt for every message due now while slots are free (refilling the window from the
   * spool first when it is less than half full), each on its own virtual thread.
   *
   * @return completes when every attempt started by this call has ended and its message is queued
   *     again or gone (without a driver: also the attempts started as those ended)
   */
  public CompletableFuture<Void> runDue() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    if (suspended || closed) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = clock.instant();
    if (now.isBefore(pausedUntil)) {
      return CompletableFuture.completedFuture(null);
    }
    refill(now);
    parkClosedLanes(now);
    while (slots.tryAcquire()) {
      // A slot frees only after its attempt ended, so a pause that attempt called is seen here.
      Optional<LaneLease> lease = clock.instant().isBefore(pausedUntil) ? Optional.empty() : nextLease(now);
      if (lease.isEmpty()) {
        slots.release();
        break;
      }
      try {
        started.add(CompletableFuture.runAsync(() -> attemptOne(lease.get()), workers));
      } catch (RejectedExecutionException e) {
        // Draining or closed meanwhile: the message stays in the spool as it is.
        lease.get().end(List.of(), now);
        slots.release();
        queue.finish(lease.get().message().id());
        break;
      }
    }
    // A lane can close during this pass (an attempt that ended meanwhile used up its mailbox's day):
    // what waits in it goes to disk now, not only at the next pass, which may never come.
    parkClosedLanes(now);
    CompletableFuture<Void> batch = CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    // Without a driver (tests stepping a clock) the call covers whatever became startable as slots
    // freed up; with one, each ending attempt starts the next itself.
    return !driver.started() && !started.isEmpty() ? batch.thenCompose(v -> runDue()) : batch;
  }

  /** Parks what waits in lanes that are closed for longer than the horizon (a mailbox out of its day). */
  private void parkClosedLanes(Instant now) {
    for (ReadyLanes.Parked parked : lanes.closedLanes(now)) {
      queue.finish(parked.message().id());
      park(parked.message().withState(parked.message().recipients(), parked.message().attempts(), parked.until()));
    }
  }

  /**
   * The next message that may be attempted now, with its lease: first one that waited in a ready
   * lane and may go now, else the next due one that gets its lanes. A due message whose lane is
   * full or paced waits there (no attempt) or is parked, and the next due one is looked at.
   */
  private Optional<LaneLease> nextLease(Instant now) {
    Optional<LaneLease> ready = lanes.nextReady(now);
    while (ready.isEmpty()) {
      Optional<QueuedMessage> due = queue.takeDue(now);
      if (due.isEmpty()) {
        return Optional.empty();
      }
      switch (lanes.offer(due.get(), now)) {
        case ReadyLanes.Grant.Leased leased -> ready = Optional.of(leased.lease());
        case ReadyLanes.Grant.Waits waits -> { /* in its lane's line, still in the window */ }
        case ReadyLanes.Grant.ParkUntil park -> {
          QueuedMessage message = due.get();
          queue.finish(message.id());
          park(message.withState(message.recipients(), message.attempts(), park.at()));
        }
      }
    }
    return ready;
  }

  /** Takes due parked messages of this connector back into the window while it is under half full. */
  private void refill(Instant now) {
    if (queue.size() * 2 >= queue.capacity() || !refilling.tryLock()) {
      return;
    }
    try {
      Optional<Instant> parked = spool.nextParked(connector);
      if (parked.isEmpty() || parked.get().isAfter(now)) {
        return;
      }
      for (QueuedMessage message : spool.unpark(connector, now, queue.capacity() - queue.size())) {
        // The index decides when a parked message is due: a reload that shortened the schedule, or
        // an operator's retry, brings the index's markers forward rather than rewriting every
        // record, so a record may still name a later time.
        keep(message.nextAttemptAt().isAfter(now)
            ? message.withState(message.recipients(), message.attempts(), now) : message, false);
      }
    } catch (IOException | RuntimeException e) {
      log.error("connector '{}': could not take parked messages from the spool; trying again later", connector, e);
    } finally {
      refilling.unlock();
    }
  }

  /**
   * Called when an attempt could not reach the upstream at all (every host refused or timed out):
   * on a connector with a single upstream, attempts stop until the connector's initial retry delay
   * (at most five minutes) has passed. Mail keeps queueing meanwhile and the messages due meanwhile
   * wait without an attempt each: a day-long outage costs one failed connection per pause, not one
   * per queued message. The first attempts after the pause are the probe.
   */
  private void upstreamUnreachable(String reason) {
    if (!pauseWhenUnreachable) {
      return;
    }
    Instant now = clock.instant();
    Duration pause = schedule.initialDelay().compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : schedule.initialDelay();
    boolean wasRunning = !now.isBefore(pausedUntil);
    pausedUntil = now.plus(pause);
    if (wasRunning) {
      log.warn("connector '{}': upstream unreachable ({}); no delivery attempts until {}, mail keeps queueing",
          connector, reason, pausedUntil);
    }
  }

  /** When the pause after an unreachable upstream ends; empty when the connector is not paused. */
  public Optional<Instant> pausedUntil() {
    Instant until = pausedUntil;
    return clock.instant().isBefore(until) ? Optional.of(until) : Optional.empty();
  }

  /** Starts the driver thread that runs due messages as time passes. */
  public void start() {
    driver.start();
  }

  /**
   * Releases a held or suspended message (its connector's configuration was fixed, or an operator
   * decided to try again): its held recipients become pending and it is due at once. The new state is
   * recorded in the spool first; connector and TLS requirement stay as they were.
   *
   * @return false when no message with that id is held for this connector
   */
  public boolean release(MessageId id) {
    Optional<QueuedMessage> found;
    try {
      found = spool.read(id);
    } catch (IOException e) {
      log.error("message {}: could not read it from the spool to release it", id, e);
      return false;
    }
    if (found.isEmpty() || !owns(found.get()) || !found.get().isHeld()) {
      return false;
    }
    QueuedMessage message = found.get();
    List<RecipientState> states = message.recipients().stream()
        .map(r -> r.status() == RecipientStatus.HELD
            ? new RecipientState(r.recipient(), RecipientStatus.PENDING, r.attempts(), r.lastReply())
            : r)
        .toList();
    QueuedMessage released = message.withState(states, message.attempts(), clock.instant());
    try {
      spool.update(released);
    } catch (IOException e) {
      log.error("message {}: could not record its release in the spool; it stays held", id, e);
      return false;
    }
    log.info("message {}: released for delivery via '{}'", id, connector);
    recovered(released);
    return true;
  }

  /**
   * Suspends one waiting message: its pending recipients are held with the reason {@code
   * "suspended by operator"} until {@link #release}. A message in flight cannot be suspended.
   *
   * @return false when the message is not queued for this connector, is in flight, or has nothing pending
   */
  public boolean suspend(MessageId id) {
    Optional<QueuedMessage> inMemory = takeWaiting(id);
    Optional<QueuedMessage> found = inMemory;
    try {
      if (found.isEmpty()) {
        found = spool.read(id);
      }
      if (found.isEmpty() || !owns(found.get()) || !found.get().hasPending()) {
        inMemory.ifPresent(m -> keep(m, false));
        return false;
      }
      QueuedMessage message = found.get();
      List<RecipientState> states = message.recipients().stream()
          .map(r -> r.status() == RecipientStatus.PENDING
              ? new RecipientState(r.recipient(), RecipientStatus.HELD, r.attempts(),
                  new AttemptReport.Local(LocalCause.MISCONFIGURED, SUSPENDED))
              : r)
          .toList();
      QueuedMessage suspendedMessage = message.withState(states, message.attempts(), message.nextAttemptAt());
      spool.update(suspendedMessage);
      park(suspendedMessage);
      log.info("message {}: suspended by operator", id);
      return true;
    } catch (IOException e) {
      log.error("message {}: could not record its suspension in the spool", id, e);
      inMemory.ifPresent(m -> keep(m, false));
      return false;
    }
  }

  /** What an operator's removal of a message did. */
  public enum Removal {
    /** Taken out of the spool (and, when asked, the sender notified). */
    REMOVED,
    /** An attempt is under way: nothing was changed; try again when it has ended. */
    IN_FLIGHT,
    /** No message with that id is queued for this connector. */
    NOT_QUEUED
  }

  /**
   * Makes a waiting message due now, the operator's "retry": its pending recipients get an attempt
   * as soon as a slot and its ready lane allow (the lanes' limits still hold), and a pause after an
   * unreachable upstream ends: the operator says it is worth a try. Held recipients stay held;
   * {@link #release} them. The new due time is recorded in the spool.
   *
   * @return false when the message is not queued for this connector, is in flight, or has nothing pending
   */
  public boolean retryNow(MessageId id) {
    Optional<QueuedMessage> inMemory = takeWaiting(id);
    refilling.lock(); // a refill taking the same message from the index meanwhile would start it twice
    try {
      if (inMemory.isEmpty() && queue.contains(id)) {
        return false; // in flight
      }
      Optional<QueuedMessage> found = inMemory.isPresent() ? inMemory : spool.read(id);
      if (found.isEmpty() || !owns(found.get()) || !found.get().hasPending()) {
        inMemory.ifPresent(m -> keep(m, false));
        return false;
      }
      QueuedMessage due = found.get().withState(found.get().recipients(), found.get().attempts(), clock.instant());
      spool.update(due);
      keep(due, false);
      pausedUntil = Instant.MIN;
      log.info("message {}: retry now, by operator", id);
    } catch (IOException e) {
      log.error("message {}: could not record the retry in the spool", id, e);
      inMemory.ifPresent(m -> keep(m, false));
      return false;
    } finally {
      refilling.unlock();
    }
    driver.wake();
    return true;
  }

  /**
   * Makes every waiting message of this connector due now (parked ones through the spool's index,
   * which hands them over as the window has room): what an operator does once an upstream is back,
   * so a pause after an unreachable upstream ends too. Held messages stay held.
   */
  public void retryAll() {
    Instant now = clock.instant();
    pausedUntil = Instant.MIN;
    try {
      spool.bringForward(connector, now);
    } catch (IOException e) {
      log.error("connector '{}': could not bring parked messages forward", connector, e);
    }
    for (QueuedMessage message : queue.takeAll()) {
      keep(message.withState(message.recipients(), message.attempts(), now), false);
    }
    log.info("connector '{}': every waiting message is due now, by operator", connector);
    driver.wake();
  }

  /**
   * Takes a message out of the queue for an operator: deleted silently, or with a failure notice to
   * its sender for every recipient still pending or held ({@code bounce}: "removed from the queue
   * by an operator", status 5.3.0). A message in flight is left alone.
   */
  public Removal remove(MessageId id, boolean bounce) {
    Optional<QueuedMessage> inMemory = takeWaiting(id);
    refilling.lock();
    try {
      if (inMemory.isEmpty() && queue.contains(id)) {
        return Removal.IN_FLIGHT;
      }
      Optional<QueuedMessage> found = inMemory.isPresent() ? inMemory : spool.read(id);
      if (found.isEmpty() || !owns(found.get())) {
        inMemory.ifPresent(m -> keep(m, false));
        return Removal.NOT_QUEUED;
      }
      QueuedMessage message = found.get();
      if (bounce && outbox.isPresent()) {
        Instant now = clock.instant();
        AttemptReport removed = new AttemptReport.Local(LocalCause.LOCAL_ERROR, REMOVED_BY_OPERATOR);
        List<RecipientReport> reports = message.recipients().stream()
            .filter(r -> r.status() == RecipientStatus.PENDING || r.status() == RecipientStatus.HELD)
            .map(r -> RecipientReport.failed(r.recipient(), removed, now))
            .toList();
        if (!reports.isEmpty()) {
          outbox.get().queue(message, reports);
        }
      }
      spool.remove(message);
      outbox.ifPresent(o -> o.forget(id));
      log.info("message {}: removed from the queue by operator{}", id, bounce ? ", sender notified" : "");
      return Removal.REMOVED;
    } catch (IOException e) {
      log.error("message {}: could not remove it from the spool", id, e);
      inMemory.ifPresent(m -> keep(m, false));
      return Removal.NOT_QUEUED;
    } finally {
      refilling.unlock();
    }
  }

  /** A waiting message taken out of memory (its window slot or its ready lane's line); empty when not waiting here. */
  private Optional<QueuedMessage> takeWaiting(MessageId id) {
    return queue.remove(id).or(() -> lanes.remove(id).map(m -> {
      queue.finish(m.id());
      return m;
    }));
  }

  // A record without a connector (written before routing was recorded) goes where it was sent.
  private boolean owns(QueuedMessage message) {
    return message.connector() == null || connector.equals(message.connector());
  }

  /** Stops starting attempts through this connector (attempts under way finish); mail keeps queueing. */
  public void suspend() {
    suspended = true;
    log.warn("connector '{}': suspended; no delivery attempts until resumed", connector);
  }

  /** Lets a suspended connector deliver again. */
  public void resume() {
    suspended = false;
    log.info("connector '{}': resumed", connector);
    driver.wake();
  }

  /** True while {@linkplain #suspend() suspended}. */
  public boolean isSuspended() {
    return suspended;
  }

  /** Messages held for a configuration problem or suspended, waiting for {@link #release} (at most 10,000). */
  public List<QueuedMessage> held() {
    try {
      return spool.held(connector, HELD_LISTED);
    } catch (IOException e) {
      log.error("connector '{}': could not list held messages", connector, e);
      return List.of();
    }
  }

  /** Messages in memory waiting for their next attempt or for their turn in a ready lane. */
  public int waiting() {
    return queue.waiting() + lanes.waiting();
  }

  /** Messages whose attempt is under way. */
  public int inFlight() {
    return queue.inFlight() - lanes.waiting();
  }

  /** Whether the message is in this connector's window (waiting or in flight). */
  public boolean inWindow(MessageId id) {
    return queue.contains(id);
  }

  /** Messages of this connector in memory (waiting or in flight); never more than the window. */
  public int inMemory() {
    return queue.size();
  }

  /**
   * When the earliest-accepted message in memory (waiting or in flight) arrived, as its queue id
   * tells ({@link Spool#acceptedAt}); empty when none is or the spool cannot tell. Looks at the whole
   * window: for metrics, read now and then.
   */
  public Optional<Instant> oldestInMemory() {
    return queue.earliest(spool::acceptedAt);
  }

  /**
   * How much of its limits each mailbox of this connector uses now (Microsoft 365 connectors: every
   * configured mailbox); empty for connectors without mailboxes.
   */
  public List<MailboxUse> mailboxUse() {
    return lanes.mailboxUse(clock.instant());
  }

  /**
   * Stops taking up messages, lets the attempts under way finish (up to {@code patience}), and
   * returns every message still waiting in memory, with its latest state, so another scheduler can
   * take them over: what a configuration reload does when a connector changes or goes away (parked
   * messages stay in the spool under the connector's name). Attempts still running after {@code
   * patience} are interrupted; their messages stay in the spool as they were.
   */
  public List<QueuedMessage> drain(Duration patience) {
    closed = true;
    driver.stop();
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
    List<QueuedMessage> waiting = new ArrayList<>(queue.takeAll());
    for (QueuedMessage message : lanes.takeAll()) {
      queue.finish(message.id());
      waiting.add(message);
    }
    return waiting;
  }

  @Override
  public void close() {
    closed = true;
    driver.stop();
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("connector '{}': delivery attempts still running at shutdown", connector);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void attemptOne(LaneLease lease) {
    if (!lease.share(clock.instant())) {
      // The shared store said "not yet" (another node uses the lane) or could not be asked: the
      // message is back in its lane's line, still in the window; no attempt was made.
      slots.release();
      if (driver.started()) {
        driver.wake();
      }
      return;
    }
    QueuedMessage message = lease.message();
    Optional<QueuedMessage> next = Optional.empty();
    boolean interrupted = false;
    try {
      next = attempt.run(message, outcomes -> lease.end(outcomes, clock.instant()));
    } catch (InterruptedException e) {
      // Shutting down: the message stays in the spool as it was and is recovered at the next start.
      Thread.currentThread().interrupt();
      interrupted = true;
    } catch (RuntimeException e) {
      log.error("message {}: delivery attempt failed unexpectedly; retrying later", message.id(), e);
      next = Optional.of(message.withState(message.recipients(),
          message.attempts(), clock.instant().plus(schedule.initialDelay())));
    } finally {
      lease.end(List.of(), clock.instant());
      queue.finish(message.id());
      slots.release();
    }
    if (interrupted) {
      return;
    }
    if (closed) {
      next.ifPresent(this::park); // drained: whoever takes over this connector finds it in the spool
      return;
    }
    next.ifPresent(m -> keep(m, false));
    if (driver.started()) {
      runDue();
      driver.wake(); // the driver may have to wait for an earlier time now
    }
  }

  /** When the driver looks again at the latest, if nothing wakes it sooner. */
  private Instant nextWake(Instant now) {
    Instant until = now.plus(LONGEST_SLEEP);
    if (now.isBefore(pausedUntil)) {
      return min(until, pausedUntil); // nothing starts before the pause ends
    }
    if (suspended) {
      return until;
    }
    Optional<Instant> next = queue.nextDue();
    // A due message with no free slot waits for an attempt to end (which wakes the driver), not for time.
    if (next.isPresent() && (next.get().isAfter(now) || slots.availablePermits() > 0)) {
      until = min(until, next.get());
    }
    Optional<Instant> opening = lanes.nextOpening();
    if (opening.isPresent() && slots.availablePermits() > 0) {
      until = min(until, opening.get());
    }
    if (queue.size() * 2 < queue.capacity()) {
      Optional<Instant> parked = spool.nextParked(connector);
      if (parked.isPresent()) {
        until = min(until, parked.get().isBefore(now) ? now.plus(LONGEST_SLEEP.dividedBy(30)) : parked.get());
      }
    }
    return until;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
