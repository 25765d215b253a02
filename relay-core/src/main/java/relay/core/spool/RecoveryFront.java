package relay.core.spool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import relay.core.envelope.MessageId;

/**
 * How far the background recovery scan of a {@link FileSpool} has come, so that the spool can tell
 * the messages written before this start that recovery has not reached yet ("ahead" of it).
 *
 * <p>Why it matters: recovery hands every such message to delivery and counts it in the spool's
 * size; until it does, the message is not counted. Another route may find the message first: the
 * parking index (a message parked in the previous run, due now, is taken up by its scheduler the
 * moment the scheduler starts) or an operator's action by queue id. Delivered and removed through
 * that route, it would be uncounted from a size that never counted it ({@code relay_spool_messages}
 * stuck at -1 until the next start), and a copy recovery had already read could be handed over a
 * second time. So the spool hands no message ahead of recovery to delivery from its index (recovery
 * will), and a message removed while ahead was never counted.
 *
 * <p>Invariant: recovery hands messages over in the order it walks the queue, which is the order of
 * their file paths ({@code queue/<period>/<slice>/<id>.msg}, each level sorted by name; {@code /}
 * sorts before every character of a name, so comparing whole paths is comparing level by level).
 * A message is ahead while recovery runs, it was written before this start, and its path sorts after
 * the last one recovery has reached. A recovery that failed stays unfinished: what it did not reach
 * waits for the next start, as before.
 *
 * <p>Threading: {@link #reach} and {@link #removing} exclude each other, so a message is either
 * removed before recovery looks at it (recovery then finds no file and counts nothing) or after
 * recovery counted it. Everything else is lock-free. Call order: {@link #open}, then {@link #reach}
 * for each message in walking order, then {@link #finish}.
 */
final class RecoveryFront {

  /** An action on the spool's files that may fail. */
  interface FileAction {
    void run() throws IOException;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private volatile MessageId firstNew;
  private volatile Path reached;
  private volatile boolean finished;

  /** A new start: nothing written before {@code firstNew} has been reached yet. */
  void open(MessageId firstNew) {
    lock.lock();
    try {
      this.firstNew = firstNew;
      this.reached = null;
      this.finished = false;
    } finally {
      lock.unlock();
    }
  }

  /** True while {@code id} (whose message file is {@code file}) waits for recovery to reach it. */
  boolean ahead(MessageId id, Path file) {
    MessageId first = firstNew;
    if (finished || first == null || isNew(id, first)) {
      return false;
    }
    Path last = reached;
    return last == null || file.compareTo(last) > 0;
  }

  /**
   * Recovery reaches the message in {@code file}: under the lock, {@code count} runs (it checks that
   * the message is still there, counts it and hands it over, returning whether it did) and then the
   * front moves past it.
   */
  boolean reach(Path file, BooleanSupplier count) {
    lock.lock();
    try {
      boolean counted = count.getAsBoolean();
      reached = file;
      return counted;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code removal} of the message {@code id} in {@code file}; returns whether the message had
   * been counted (it was not while ahead of recovery).
   */
  boolean removing(MessageId id, Path file, FileAction removal) throws IOException {
    if (!ahead(id, file)) {
      removal.run();
      return true;
    }
    lock.lock();
    try {
      boolean counted = !ahead(id, file); // recovery may have reached it meanwhile
      removal.run();
      return counted;
    } finally {
      lock.unlock();
    }
  }

  /** Recovery has walked the whole queue: nothing is ahead of it any more. */
  void finish() {
    finished = true;
  }

  /** True for ids handed out by this run (they sort after every earlier one of the same shape). */
  static boolean isNew(MessageId id, MessageId firstNew) {
    return id.value().length() == firstNew.value().length() && id.value().compareTo(firstNew.value()) >= 0;
  }
}
