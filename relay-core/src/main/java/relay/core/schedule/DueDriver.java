package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that keeps one connector's scheduler going as time passes: it runs a step (start what
 * is due), then sleeps until the time the scheduler names or until {@link #wake()}, whichever comes
 * first, and again. The time is kept by an alarm thread that outlives many sleeps (see {@link
 * #setAlarm}). It owns nothing else: what is due, and when next, the scheduler decides.
 *
 * <p>It outlives any exception a step throws (logged, retried a second later): without it retries and
 * parked mail would silently stop until a restart.
 *
 * <p>Threading: {@link #wake()} and {@link #stop()} may be called from any thread.
 */
final class DueDriver {

  private static final Logger log = LoggerFactory.getLogger(DueDriver.class);

  private final String name;
  private final InstantSource clock;
  private final Runnable step;
  private final Function<Instant, Instant> nextWake;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();
  private boolean woken;
  private volatile boolean stopped;
  private Thread thread;
  /** The thread that wakes the driver at {@link #alarmAt}; null when none is set. Guarded by {@link #lock}. */
  private Thread alarm;
  private Instant alarmAt;

  /**
   * @param name the thread's name
   * @param step what to do on each turn
   * @param nextWake given {@code now}, the latest time to take the next turn if nothing wakes the driver sooner
   */
  DueDriver(String name, InstantSource clock, Runnable step, Function<Instant, Instant> nextWake) {
    this.name = name;
    this.clock = clock;
    this.step = step;
    this.nextWake = nextWake;
  }

  synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    thread = Thread.ofVirtual().name(name).start(this::drive);
  }

  synchronized boolean started() {
    return thread != null;
  }

  /** Takes the next turn now (something changed: mail arrived, an attempt ended, an operator acted). */
  void wake() {
    lock.lock();
    try {
      woken = true;
      wakeUp.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread and waits for it to end. */
  void stop() {
    stopped = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void drive() {
    try {
      driveUntilStopped();
    } finally {
      lock.lock();
      try {
        if (alarm != null) {
          alarm.interrupt();
          alarm = null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void driveUntilStopped() {
    while (!stopped) {
      try {
        step.run();
        awaitTurn();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("{}: delivery driver failed; carrying on in a second", name, e);
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void awaitTurn() throws InterruptedException {
    lock.lock();
    try {
      while (!woken && !stopped) {
        Instant now = clock.instant();
        Instant until = nextWake.apply(now);
        long nanos = Duration.between(now, until).toNanos();
        if (nanos <= 0) {
          break;
        }
        setAlarm(now, until, nanos);
        wakeUp.await();
        if (!clock.instant().isBefore(until)) {
          break;
        }
      }
      woken = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes sure something wakes the driver by {@code until}. Why not a timed wait: the driver is woken
   * once or twice per message, and each timed wait of a virtual thread arms and cancels a timer in
   * the JDK's scheduler (3 % of the relay's CPU at 2,500 messages a second); an alarm already set
   * for no later than {@code until} is kept, so the timer is armed about once per {@code
   * nextWake} horizon instead. Called with the lock held.
   */
  private void setAlarm(Instant now, Instant until, long nanos) {
    if (alarm != null && alarmAt.isAfter(now) && !alarmAt.isAfter(until)) {
      return; // it rings in time; waking early only means one more look
    }
    if (alarm != null) {
      alarm.interrupt();
    }
    alarmAt = until;
    alarm = Thread.ofVirtual().name(name + "-alarm").start(() -> ring(nanos));
  }

  private void ring(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      return; // replaced or stopped
    }
    lock.lock();
    try {
      if (alarm == Thread.currentThread()) {
        alarm = null;
        alarmAt = null;
        wakeUp.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
