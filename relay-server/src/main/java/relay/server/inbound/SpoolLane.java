package relay.server.inbound;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.session.SpoolFailure;
import relay.core.spool.QueuedMessage;
import relay.core.spool.Spool;
import relay.core.spool.SpoolFullException;
import relay.core.spool.SpoolPart;
import relay.core.spool.SpoolTransaction;

/**
 * The spool work of one session, run in submission order on virtual threads so the event loop never
 * blocks on disk: open a transaction, append content, commit or abandon. Results are handed to
 * callbacks on the lane's thread (or, for an {@link #open} answered at once, on the caller's);
 * callers hop back to their event loop themselves.
 *
 * <p>Content is staged in memory and handed to the spool in chunks of {@link #CHUNK} bytes, and the
 * spool transaction itself is begun with the first chunk: a typical message (a few KiB) then costs
 * one trip to a virtual thread, at commit, instead of one per read plus one to open. Large messages
 * still stream: at most one chunk per session is staged, and {@link #pendingBytes()} lets the
 * caller stop reading while handed-over chunks wait for the disk.
 *
 * <p>Threading: every method except {@link #pendingBytes()} is called from the session's event
 * loop only (the staged bytes and the tail of the chain are not shared); each task runs after the
 * previous one finished, so the open transaction is only ever touched by one thread at a time.
 */
final class SpoolLane {

  /** Staged bytes that make the lane hand content to the spool before the end of the message. */
  static final int CHUNK = 64 << 10;

  private static final Logger LOG = LoggerFactory.getLogger(SpoolLane.class);

  private final Spool spool;
  private final Executor executor;
  private final String sessionId;
  private final AtomicLong pendingBytes = new AtomicLong();
  // Empty until the first content: then as large as that read (often the whole small message).
  private final ChunkBuffer staged = new ChunkBuffer(0);
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  // Event-loop side: whether the current message has handed anything to the lane's thread yet.
  private boolean begun;
  // Lane side: touched only by tasks.
  private SpoolTransaction transaction;
  private SpoolFailure openFailure;
  private IOException writeFailure;

  SpoolLane(Spool spool, Executor executor, String sessionId) {
    this.spool = spool;
    this.executor = executor;
    this.sessionId = sessionId;
  }

  /** Content bytes handed over but not yet written to the spool. Safe from any thread. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  /**
   * Starts a new message; {@code done} gets null when content may follow, else the failure. When
   * the spool's last free-space reading was fine the answer comes at once, on the caller's thread,
   * and the spool transaction begins with the first chunk or the commit; otherwise the spool is
   * asked again on the lane, so a disk that has been cleaned up is noticed.
   */
  void open(Consumer<SpoolFailure> done) {
    discardStaged();
    if (spool.admitsNewMessage()) {
      done.accept(null);
      return;
    }
    begun = true;
    submit(() -> done.accept(beginTransaction()));
  }

  /**
   * Stages content; full chunks go to the spool, and {@code written} runs on the lane's thread after
   * each. A write failure turns the commit into a failure.
   */
  void write(byte[] bytes, int offset, int length, Runnable written) {
    staged.write(bytes, offset, length);
    if (staged.size() >= CHUNK) {
      handOver(written);
    }
  }

  /**
   * Commits the open message; {@code done} gets the queued messages or the failure. The transaction
   * is closed afterwards either way.
   */
  void commit(List<SpoolPart> parts, BiConsumer<List<QueuedMessage>, SpoolFailure> done) {
    byte[] rest = takeStaged();
    boolean handedOver = begun;
    begun = false;
    submit(() -> {
      List<QueuedMessage> queued = null;
      SpoolFailure failure = handedOver ? openFailure : beginTransaction();
      try {
        if (failure == null) {
          append(rest);
          if (writeFailure != null) {
            throw writeFailure;
          }
          transaction.body().flush();
          queued = transaction.commit(parts);
        }
      } catch (SpoolFullException e) {
        LOG.warn("session {}: spool full at commit: {}", sessionId, e.getMessage());
        failure = SpoolFailure.FULL;
      } catch (IOException | RuntimeException e) {
        LOG.error("session {}: commit to the spool failed, nothing queued", sessionId, e);
        failure = SpoolFailure.ERROR;
      } finally {
        closeTransaction();
      }
      done.accept(queued, failure);
    });
  }

  /** Drops the open message, if any, leaving nothing behind in the spool. */
  void abandon() {
    discardStaged();
  }

  /** Completes when every task submitted so far has run. */
  CompletableFuture<Void> idle() {
    return tail;
  }

  private void handOver(Runnable written) {
    byte[] chunk = takeStaged();
    pendingBytes.addAndGet(chunk.length);
    boolean first = !begun;
    begun = true;
    submit(() -> {
      try {
        if (first) {
          beginTransaction();
        }
        append(chunk);
      } finally {
        pendingBytes.addAndGet(-chunk.length);
        written.run();
      }
    });
  }

  private byte[] takeStaged() {
    return staged.take();
  }

  private void discardStaged() {
    staged.reset();
    if (begun) {
      begun = false;
      submit(this::closeTransaction);
    }
  }

  /**
   * Lane side: begins the transaction; null on success, else the failure (already logged), which
   * is also kept in {@code openFailure} for the commit of a message whose content was handed over.
   */
  private SpoolFailure beginTransaction() {
    closeTransaction();
    writeFailure = null;
    openFailure = null;
    try {
      transaction = spool.begin();
    } catch (SpoolFullException e) {
      LOG.warn("session {}: spool full, message refused: {}", sessionId, e.getMessage());
      openFailure = SpoolFailure.FULL;
    } catch (IOException | RuntimeException e) {
      LOG.error("session {}: cannot open a spool transaction", sessionId, e);
      openFailure = SpoolFailure.ERROR;
    }
    return openFailure;
  }

  /** Lane side: writes content unless an earlier write failed; a failure is remembered. */
  private void append(byte[] bytes) {
    try {
      if (transaction != null && writeFailure == null && bytes.length > 0) {
        transaction.body().write(bytes);
      }
    } catch (IOException | RuntimeException e) {
      writeFailure = e instanceof IOException io ? io : new IOException(e);
      LOG.error("session {}: writing message content to the spool failed", sessionId, e);
    }
  }

  private void closeTransaction() {
    if (transaction != null) {
      try {
        transaction.close();
      } catch (RuntimeException e) {
        LOG.error("session {}: closing the spool transaction failed", sessionId, e);
      }
      transaction = null;
    }
  }

  private void submit(Runnable task) {
    // handleAsync, not thenRunAsync: a failed task must not stop the tasks queued after it.
    tail = tail.handleAsync((ignored, error) -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("session {}: spool task failed", sessionId, e);
      }
      return null;
    }, executor);
  }
}
