package relay.server.outbound;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.connector.SubmissionCredential;

/**
 * What the {@code smtp-auth} transport keeps for one mailbox: the credential it signs in with and its
 * idle authenticated sessions for reuse. (How many sessions and how fast is the scheduler's
 * per-mailbox ready lane's to decide.)
 *
 * <p>Threading: the idle sessions are guarded by a lock.
 */
final class MailboxLane {

  final String mailbox;
  final SubmissionCredential credential;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<UpstreamConnection> idle = new ArrayDeque<>();

  MailboxLane(String mailbox, SubmissionCredential credential) {
    this.mailbox = mailbox;
    this.credential = credential;
  }

  UpstreamConnection takeIdle() {
    lock.lock();
    try {
      return idle.poll();
    } finally {
      lock.unlock();
    }
  }

  void putIdle(UpstreamConnection connection) {
    lock.lock();
    try {
      idle.push(connection);
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every idle session, for closing. */
  Deque<UpstreamConnection> drain() {
    lock.lock();
    try {
      Deque<UpstreamConnection> all = new ArrayDeque<>(idle);
      idle.clear();
      return all;
    } finally {
      lock.unlock();
    }
  }
}
