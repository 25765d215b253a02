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
 * blocks on disk: open a transaction, append content chunks, commit or abandon. Results are handed
 * to callbacks on the lane's thread; callers hop back to their event loop themselves.
 *
 * <p>Threading: tasks are submitted from the session's event loop only (the tail of the chain is
 * not shared); each task runs after the previous one finished, so the open transaction is only ever
 * touched by one thread at a time. {@link #pendingBytes()} is safe from any thread.
 */
final class SpoolLane {

  private static final Logger LOG = LoggerFactory.getLogger(SpoolLane.class);

  private final Spool spool;
  private final Executor executor;
  private final String sessionId;
  private final AtomicLong pendingBytes = new AtomicLong();
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private SpoolTransaction transaction;
  private IOException writeFailure;

  SpoolLane(Spool spool, Executor executor, String sessionId) {
    this.spool = spool;
    this.executor = executor;
    this.sessionId = sessionId;
  }

  /** Content bytes submitted but not yet written to the spool. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  /** Begins a spool transaction; {@code done} gets null on success, else the failure. */
  void open(Consumer<SpoolFailure> done) {
    submit(() -> {
      closeTransaction();
      writeFailure = null;
      try {
        transaction = spool.begin();
        done.accept(null);
      } catch (SpoolFullException e) {
        LOG.warn("session {}: spool full, DATA refused: {}", sessionId, e.getMessage());
        done.accept(SpoolFailure.FULL);
      } catch (IOException | RuntimeException e) {
        LOG.error("session {}: cannot open a spool transaction", sessionId, e);
        done.accept(SpoolFailure.ERROR);
      }
    });
  }

  /** Appends content; a write failure is remembered and turns the commit into a failure. */
  void write(byte[] bytes, Runnable written) {
    pendingBytes.addAndGet(bytes.length);
    submit(() -> {
      try {
        if (transaction != null && writeFailure == null) {
          transaction.body().write(bytes);
        }
      } catch (IOException | RuntimeException e) {
        writeFailure = e instanceof IOException io ? io : new IOException(e);
        LOG.error("session {}: writing message content to the spool failed", sessionId, e);
      } finally {
        pendingBytes.addAndGet(-bytes.length);
        written.run();
      }
    });
  }

  /**
   * Commits the open transaction; {@code done} gets the queued message or the failure. The
   * transaction is closed afterwards either way.
   */
  void commit(List<SpoolPart> parts, BiConsumer<List<QueuedMessage>, SpoolFailure> done) {
    submit(() -> {
      List<QueuedMessage> queued = null;
      SpoolFailure failure = null;
      try {
        if (writeFailure != null) {
          throw writeFailure;
        }
        if (transaction == null) {
          throw new IOException("no open spool transaction");
        }
        transaction.body().flush();
        queued = transaction.commit(parts);
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

  /** Drops the open transaction, if any, leaving nothing behind in the spool. */
  void abandon() {
    submit(this::closeTransaction);
  }

  /** Completes when every task submitted so far has run. */
  CompletableFuture<Void> idle() {
    return tail;
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
