package relay.core.pacing;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many SMTP sessions one mailbox may have open at once: at most {@code max}, lowered by one
 * (never below one) each time the upstream says "too many sessions", and raised back by one after
 * each later success. Callers block (on virtual threads) for a free session.
 *
 * <p>Invariant: sessions in use never exceed the limit in force when they were granted. Thread-safe.
 */
public final class SessionGate {

  private final int max;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private int limit;
  private int inUse;

  public SessionGate(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one session");
    }
    this.max = max;
    this.limit = max;
  }

  /** Waits up to {@code wait} for a session; returns false when none became free in time. */
  public boolean acquire(Duration wait) throws InterruptedException {
    long nanos = wait.toNanos();
    lock.lock();
    try {
      while (inUse >= limit) {
        if (nanos <= 0) {
          return false;
        }
        nanos = freed.awaitNanos(nanos);
      }
      inUse++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Gives a session back. */
  public void release() {
    lock.lock();
    try {
      inUse--;
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The upstream refused a session as one too many: allow one fewer from now on. */
  public void lower() {
    lock.lock();
    try {
      limit = Math.max(1, limit - 1);
    } finally {
      lock.unlock();
    }
  }

  /** A message went through: allow one more session again, up to the configured maximum. */
  public void recover() {
    lock.lock();
    try {
      if (limit < max) {
        limit++;
        freed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The limit in force now. */
  public int limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }
}
