package relay.server.admin;

import java.io.IOException;

/**
 * What the admin API can see and do about the node's intake: drain it (no new mail, the queue keeps
 * being delivered), open it again, and report what stays queued. Implementations (the server's
 * {@code IntakeDesk}) are thread-safe; changes block on disk I/O.
 */
public interface IntakeOperations {

  /** The intake and the queue now. */
  IntakeReport report();

  /** Drains the node on {@code by}'s word; true when it changed (false: it was drained already). */
  boolean drain(String by) throws IOException;

  /** Takes new mail again; true when it changed (false: it was accepting already). */
  boolean accept(String by) throws IOException;
}
