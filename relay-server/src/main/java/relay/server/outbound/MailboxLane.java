package relay.server.outbound;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.connector.Pacing;
import relay.core.connector.SubmissionCredential;
import relay.core.pacing.MailboxPace;
import relay.core.pacing.SessionGate;

/**
 * Everything Relay keeps for one mailbox of an {@code smtp-auth} connector: the credential it signs
 * in with, its session gate and rate limits, and its idle authenticated sessions for reuse.
 *
 * <p>Threading: the gate and pace are thread-safe; the idle sessions are guarded by a lock.
 */
final class MailboxLane {

  final String mailbox;
  final SubmissionCredential credential;
  final SessionGate sessions;
  final MailboxPace pace;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<UpstreamConnection> idle = new ArrayDeque<>();

  MailboxLane(String mailbox, SubmissionCredential credential, Pacing pacing) {
    this.mailbox = mailbox;
    this.credential = credential;
    this.sessions = new SessionGate(pacing.maxSessions());
    this.pace = new MailboxPace(pacing);
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
