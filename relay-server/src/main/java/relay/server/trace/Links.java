package relay.server.trace;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The sessions and queue ids of the messages a search has found so far, so that the lines which do
 * not repeat a message's details can be joined to it: a {@code received} line names the session,
 * the {@code routed} lines name session and queue id, the delivery lines only the queue id. The log
 * is read oldest first, so a message's story is learnt in order.
 *
 * <p>Bounded: past {@link #CAPACITY} entries per kind the oldest are forgotten (a search that keeps
 * that many messages stops joining the oldest of them, nothing worse), so memory stays small
 * whatever the log holds.
 *
 * <p>The raw-line test ({@link #mentioned}) looks for the {@code "session"} and {@code "id"} fields
 * among the first {@link #FIELDS} fields of a line only: Relay writes them right after {@code at}
 * and {@code event} in every event, which keeps the test cheap on lines of any length.
 *
 * <p>Not thread-safe: one per search.
 */
final class Links {

  static final int CAPACITY = 200_000;
  static final int HEAD = 200;
  static final int FIELDS = 5;
  private static final byte[] SESSION = "session".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);

  private final Set<String> sessions = bounded();
  // Marked sessions whose message is queued (or refused): their later lines are another message's.
  private final Set<String> ended = bounded();
  private final Set<String> ids = bounded();

  boolean isEmpty() {
    return sessions.isEmpty() && ids.isEmpty();
  }

  /** A matching message came in by {@code session}: its next lines are joined to it. */
  void addSession(String session) {
    if (session != null) {
      sessions.add(session);
      ended.remove(session);
    }
  }

  void removeSession(String session) {
    if (session != null) {
      sessions.remove(session);
      ended.remove(session);
    }
  }

  /**
   * The transaction in {@code session} is over (its message was queued, or refused whole): more
   * {@code routed} lines of that commit still join, a refusal or discard later in the session is
   * about another message.
   */
  void endTransaction(String session) {
    if (hasSession(session)) {
      ended.add(session);
    }
  }

  /** Whether an in-session line (discarded, rejected) of {@code session} is about the marked message. */
  boolean inTransaction(String session) {
    return hasSession(session) && !ended.contains(session);
  }

  void addId(String id) {
    if (id != null) {
      ids.add(id);
    }
  }

  boolean hasSession(String session) {
    return session != null && sessions.contains(session);
  }

  boolean hasId(String id) {
    return id != null && ids.contains(id);
  }

  /**
   * Whether the raw line names a session or queue id known here: walks the first {@link #FIELDS}
   * fields of the object (no further than {@link #HEAD} octets for the names) and looks up the
   * values of {@code session} and {@code id}.
   */
  boolean mentioned(byte[] line, int start, int end) {
    if (isEmpty()) {
      return false;
    }
    int head = Math.min(end, start + HEAD);
    int p = start;
    for (int field = 0; field < FIELDS; field++) {
      int nameStart = Bytes.indexOf(line, (byte) '"', p, head);
      int nameEnd = nameStart < 0 ? -1 : Bytes.indexOf(line, (byte) '"', nameStart + 1, head);
      if (nameEnd < 0 || nameEnd + 2 >= end || line[nameEnd + 1] != ':') {
        return false;
      }
      if (line[nameEnd + 2] != '"') { // not a string (a number, null): on to the next field
        p = Bytes.indexOf(line, (byte) ',', nameEnd, head);
        if (p < 0) {
          return false;
        }
        continue;
      }
      int valueStart = nameEnd + 3;
      int valueEnd = Bytes.indexOf(line, (byte) '"', valueStart, end);
      if (valueEnd < 0) {
        return false;
      }
      if (line[valueEnd - 1] == '\\') {
        // An escaped quote: a free text. Relay writes session and id before any such field.
        return false;
      }
      if (is(line, nameStart + 1, nameEnd, SESSION) && lookUp(line, valueStart, valueEnd, sessions)) {
        return true;
      }
      if (is(line, nameStart + 1, nameEnd, ID) && lookUp(line, valueStart, valueEnd, ids)) {
        return true;
      }
      p = valueEnd + 1;
    }
    return false;
  }

  private static boolean is(byte[] line, int from, int to, byte[] name) {
    if (to - from != name.length) {
      return false;
    }
    for (int i = 0; i < name.length; i++) {
      if (line[from + i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean lookUp(byte[] line, int from, int to, Set<String> values) {
    return !values.isEmpty() && values.contains(new String(line, from, to - from, StandardCharsets.UTF_8));
  }

  private static Set<String> bounded() {
    return Collections.newSetFromMap(new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > CAPACITY;
      }
    });
  }
}
