package relay.core.spool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes writes durable by forcing one file or directory, with group commit: when many callers ask at
 * once, one force covers every caller whose write (a rename into a directory, a record appended to
 * the {@link IntakeJournal}) finished before that force began.
 *
 * <p>Rule: {@link #sync()} returns normally only after a force that <em>started after the call</em>
 * completed successfully. A force already running when the caller arrives may have begun before the
 * caller's write, so it does not count; the caller waits for the next one. At most one force runs at
 * a time; whichever waiting caller finds none running starts the next one on its own thread, so no
 * background thread is needed.
 *
 * <p>Failure: when a force fails, every caller that was relying on it gets an {@link IOException}
 * (the caller then treats its write as not durable).
 *
 * <p>Threading: thread-safe; callers block (use virtual threads).
 */
final class GroupCommit {

  /** The actual force: of a directory ({@link #of}) or of a file's data. */
  @FunctionalInterface
  interface Force {
    void run() throws IOException;
  }

  private final Force force;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finishedOne = lock.newCondition();

  /** Generation of the last force started; generations start at 1. Guarded by {@link #lock}. */
  private long started;

  /** Generation of the last force finished, successfully or not. Guarded by {@link #lock}. */
  private long finished;

  /** Generation of the last force that succeeded. Guarded by {@link #lock}. */
  private long succeeded;

  private IOException lastFailure;
  private boolean running;

  GroupCommit(Force force) {
    this.force = force;
  }

  /** A group-committing sync of {@code directory}. */
  static GroupCommit of(Path directory) {
    return new GroupCommit(
        () -> {
          try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
          }
        });
  }

  /**
   * Returns once a force that began after this call has completed.
   *
   * @throws IOException when that force failed
   * @throws java.io.InterruptedIOException when interrupted while waiting
   */
  void sync() throws IOException {
    lock.lock();
    try {
      long needed = started + 1;
      while (finished < needed) {
        if (running) {
          awaitFinish();
        } else {
          runForce();
        }
      }
      if (succeeded < needed) {
        throw new IOException("directory sync failed", lastFailure);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Number of callers waiting for a force to finish; lets tests line up concurrent callers. */
  int waitingCallers() {
    lock.lock();
    try {
      return lock.getWaitQueueLength(finishedOne);
    } finally {
      lock.unlock();
    }
  }

  private void awaitFinish() throws IOException {
    try {
      finishedOne.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for directory sync");
    }
  }

  // Called with the lock held; releases it while forcing so that others can queue up behind.
  private void runForce() {
    running = true;
    // Callers that arrive meanwhile join this force: the other virtual threads ready to run (other
    // sessions about to commit) get their turn before it starts. The generation is counted only
    // after it, so those callers' "a force that began after my call" is this one.
    lock.unlock();
    Thread.yield();
    lock.lock();
    long generation = ++started;
    IOException failure = null;
    lock.unlock();
    try {
      force.run();
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException | Error e) {
      failure = new IOException("directory sync failed", e);
    } finally {
      lock.lock();
    }
    running = false;
    finished = generation;
    if (failure == null) {
      succeeded = generation;
    } else {
      lastFailure = failure;
    }
    finishedOne.signalAll();
  }
}
