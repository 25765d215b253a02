package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.spool.QueuedMessage;

/**
 * One connector's attempts under way: it starts an attempt for each message that may go now while
 * a slot is free, each on its own virtual thread, and ends it: the lease goes back with the
 * outcomes, the message leaves the window's in-flight set, the slot frees, and the message's next
 * state is kept in memory or parked. It also stops the attempts when the scheduler drains or closes.
 *
 * <p>Invariants: at most {@code slots} attempts run at once, and a slot frees only after its attempt
 * has ended (so a pause that attempt started is seen before the slot is used again). Once closed,
 * nothing is started, and a message whose attempt ends is parked rather than kept: whoever takes the
 * connector over finds it in the spool.
 *
 * <p>Threading: {@link #startReady} may be called from any thread (the driver, a submitting thread,
 * an attempt's own thread as it ends); the slots semaphore is the only gate. Each attempt runs on a
 * virtual thread of its own. {@code closed} is volatile; {@link #drain} and {@link #close} may be
 * called from any thread, and stop the driver before they stop the attempts.
 */
final class Dispatch {

  // The scheduler's logger: these lines keep the category operators know them by.
  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final InstantSource clock;
  private final Duration retryAfterFailure;
  private final DeliveryQueue queue;
  private final ActiveWindow window;
  private final ConnectorPause pause;
  private final DeliveryAttempt attempt;
  private final Semaphore slots;
  private final DueDriver driver;
  private final Runnable runDue;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private volatile boolean closed;

  /**
   * @param retryAfterFailure when an attempt failed unexpectedly, how long until its message is due again
   * @param runDue the scheduler's pass, run when an attempt ends while the driver is started
   */
  Dispatch(
      String connector, InstantSource clock, Duration retryAfterFailure, DeliveryQueue queue,
      ActiveWindow window, ConnectorPause pause, DeliveryAttempt attempt, Semaphore slots,
      DueDriver driver, Runnable runDue) {
    this.connector = connector;
    this.clock = clock;
    this.retryAfterFailure = retryAfterFailure;
    this.queue = queue;
    this.window = window;
    this.pause = pause;
    this.attempt = attempt;
    this.slots = slots;
    this.driver = driver;
    this.runDue = runDue;
  }

  /** True once {@linkplain #drain drained} or {@linkplain #close closed}. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Starts an attempt for every message that may go now while slots are free.
   *
   * @return one future per attempt started, complete when it has ended
   */
  List<CompletableFuture<Void>> startReady(Instant now) {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    while (slots.tryAcquire()) {
      // A slot frees only after its attempt ended, so a pause that attempt called is seen here.
      Optional<LaneLease> lease = pause.isPaused(clock.instant()) ? Optional.empty() : window.nextLease(now);
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
    return started;
  }

  /**
   * Stops starting attempts and the driver, lets the attempts under way finish (up to {@code
   * patience}), then interrupts those still running; their messages stay in the spool as they were.
   */
  void drain(Duration patience) {
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
  }

  /** Stops starting attempts and the driver, and interrupts the attempts under way. */
  void close() {
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
      next = Optional.of(ActiveWindow.dueAt(message, clock.instant().plus(retryAfterFailure)));
    } finally {
      lease.end(List.of(), clock.instant());
      queue.finish(message.id());
      slots.release();
    }
    if (interrupted) {
      return;
    }
    if (closed) {
      next.ifPresent(window::park); // drained: whoever takes over this connector finds it in the spool
      return;
    }
    next.ifPresent(m -> window.keep(m, false));
    if (driver.started()) {
      runDue.run();
      driver.wake(); // the driver may have to wait for an earlier time now
    }
  }
}
