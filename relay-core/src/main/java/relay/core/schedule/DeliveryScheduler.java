package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.random.RandomGenerator;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.dsn.DsnOutbox;
import relay.core.envelope.MessageId;
import relay.core.limits.NodeLocalLimits;
import relay.core.limits.SharedLimits;
import relay.core.spool.QueuedMessage;
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
 * <p>Memory: a message stays in the window while it is in flight or due within {@link ActiveWindow#HORIZON};
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
 * <p>It is the coordinator of its parts: {@link ActiveWindow} decides where a message waits
 * (window, lane line or parking index), {@link ConnectorPause} whether attempts may start, {@link
 * Dispatch} runs the attempts on their slots and virtual threads, {@link OperatorActions} carries out
 * the operator's actions, {@link WakeTime} tells the {@link DueDriver} when to look again.
 *
 * <p>Threading: every method is safe to call from any thread.
 */
public final class DeliveryScheduler implements AutoCloseable {

  /** The reason recorded for recipients of a suspended message. */
  public static final String SUSPENDED = "suspended by operator";
  /** The reason given in the failure notice of a message an operator removed with a bounce. */
  public static final String REMOVED_BY_OPERATOR = "removed from the queue by an operator";
  /** The window when none is configured. */
  public static final int DEFAULT_WINDOW = 1_000;

  private final Spool spool;
  private final InstantSource clock;
  private final DeliveryQueue queue;
  private final ReadyLanes lanes;
  private final ActiveWindow window;
  private final ConnectorPause pause;
  private final OperatorActions operator;
  private final DueDriver driver;
  private final Dispatch dispatch;

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
    Objects.requireNonNull(connector, "connector");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.clock = Objects.requireNonNull(clock, "clock");
    RetrySchedule schedule = policy.schedule();
    Semaphore slots = new Semaphore(limits.maxInFlight());
    this.queue = new DeliveryQueue(Math.max(limits.window(), limits.maxInFlight()));
    // One lane may fill three quarters of the window, so that the others always have room.
    this.lanes = new ReadyLanes(connector, limits.lanes(), ReplyClassifier.standard(), queue.capacity() * 3 / 4,
        ActiveWindow.HORIZON, shared);
    this.window = new ActiveWindow(connector, spool, clock, queue, lanes);
    this.pause = new ConnectorPause(connector, limits.pauseWhenUnreachable(), schedule.initialDelay());
    WakeTime wakeTime = new WakeTime(pause, queue, lanes, window, slots);
    this.driver = new DueDriver("delivery-" + connector, clock, this::runDue, wakeTime::next);
    this.operator = new OperatorActions(connector, spool, clock, queue, window, pause,
        Objects.requireNonNull(outbox, "outbox"), this::recovered, driver::wake);
    DeliveryAttempt attempt = new DeliveryAttempt(
        spool, Objects.requireNonNull(transport, "transport"),
        connector, policy, clock, Objects.requireNonNull(random, "random"),
        new AttemptNotices(outbox, schedule), Objects.requireNonNull(tracking, "tracking"),
        reason -> pause.upstreamUnreachable(reason, clock.instant()));
    this.dispatch = new Dispatch(connector, clock, schedule.initialDelay(), queue, window, pause, attempt, slots, driver,
        this::runDue);
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
    if (!window.keep(message, isNew)) {
      return;
    }
    if (driver.started() && !dispatch.isClosed() && !message.nextAttemptAt().isAfter(clock.instant())) {
      runDue();
    } else {
      driver.wake();
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
    if (pause.isSuspended() || dispatch.isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = clock.instant();
    if (pause.isPaused(now)) {
      return CompletableFuture.completedFuture(null);
    }
    window.refill(now);
    window.parkClosedLanes(now);
    List<CompletableFuture<Void>> started = dispatch.startReady(now);
    // A lane can close during this pass (an attempt that ended meanwhile used up its mailbox's day):
    // what waits in it goes to disk now, not only at the next pass, which may never come.
    window.parkClosedLanes(now);
    CompletableFuture<Void> batch = CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    // Without a driver (tests stepping a clock) the call covers whatever became startable as slots
    // freed up; with one, each ending attempt starts the next itself.
    return !driver.started() && !started.isEmpty() ? batch.thenCompose(v -> runDue()) : batch;
  }

  /** When the pause after an unreachable upstream ends; empty when the connector is not paused. */
  public Optional<Instant> pausedUntil() {
    return pause.endOfPause(clock.instant());
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
    return operator.release(id);
  }

  /**
   * Suspends one waiting message: its pending recipients are held with the reason {@code
   * "suspended by operator"} until {@link #release}. A message in flight cannot be suspended.
   *
   * @return false when the message is not queued for this connector, is in flight, or has nothing pending
   */
  public boolean suspend(MessageId id) {
    return operator.suspend(id);
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
    return operator.retryNow(id);
  }

  /**
   * Makes every waiting message of this connector due now (parked ones through the spool's index,
   * which hands them over as the window has room): what an operator does once an upstream is back,
   * so a pause after an unreachable upstream ends too. Held messages stay held.
   */
  public void retryAll() {
    operator.retryAll();
  }

  /**
   * Takes a message out of the queue for an operator: deleted silently, or with a failure notice to
   * its sender for every recipient still pending or held ({@code bounce}: "removed from the queue
   * by an operator", status 5.3.0). A message in flight is left alone.
   */
  public Removal remove(MessageId id, boolean bounce) {
    return operator.remove(id, bounce);
  }

  /** Stops starting attempts through this connector (attempts under way finish); mail keeps queueing. */
  public void suspend() {
    pause.suspend();
  }

  /** Lets a suspended connector deliver again. */
  public void resume() {
    pause.resume();
    driver.wake();
  }

  /** True while {@linkplain #suspend() suspended}. */
  public boolean isSuspended() {
    return pause.isSuspended();
  }

  /** Messages held for a configuration problem or suspended, waiting for {@link #release} (at most 10,000). */
  public List<QueuedMessage> held() {
    return operator.held();
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
    dispatch.drain(patience);
    return window.takeAllWaiting();
  }

  @Override
  public void close() {
    dispatch.close();
  }
}
