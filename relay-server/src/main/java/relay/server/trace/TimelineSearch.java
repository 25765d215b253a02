package relay.server.trace;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds one message's whole story. Pass one reads the window's files oldest first and follows the
 * message as the log tells it: a {@code received} line with the Message-ID (or the session id asked
 * for) marks its session; the session's {@code routed} lines give the queue ids; the queue ids
 * give every delivery attempt, held line and DSN, and a DSN's own queue id its delivery.
 *
 * <p>Asked for a queue id, the session comes to light only at the {@code routed} line, after the
 * session's lines: pass two reads that line's file (and the one before, in case the session began
 * before a roll) once more for the session's lines, keeping only the transaction the message came
 * in by ({@link Transaction}). So a queue id costs one full read of the window and at most two more
 * files.
 *
 * <p>Not thread-safe: one per timeline.
 */
final class TimelineSearch {

  /** A message's story is short; this many events end the search (a mistaken term matching a flood). */
  static final int MAX_EVENTS = 10_000;

  private final LogSources sources;
  private final String term;
  private final Instant since;
  private final Instant until;
  private final Links links = new Links();
  // By line: an event reached both ways is kept once.
  private final Map<String, TracedEvent> found = new LinkedHashMap<>();
  private String anchorSession;
  private int anchorSource = -1;

  TimelineSearch(LogSources sources, String id, Instant since, Instant until) {
    this.sources = sources;
    this.term = TraceQuery.bare(id);
    if (term == null) {
      throw new IllegalArgumentException("no id to trace");
    }
    this.since = since;
    this.until = until;
  }

  TrackingSearch.Timeline run() throws IOException {
    long start = System.nanoTime();
    List<LogSource> files = sources.between(since, until);
    LogScan scan = new LogScan();
    Needle needle = Needle.usable(term) ? Needle.exact(term) : null;
    boolean complete = scan.run(files, 0, files.size(),
        (line, from, to) -> needle == null || needle.in(line, from, to) || links.mentioned(line, from, to),
        (event, source) -> follow(event, source) && found.size() < MAX_EVENTS);
    if (complete && anchorSession != null) {
      Transaction transaction = new Transaction();
      Needle session = Needle.usable(anchorSession) ? Needle.exact(anchorSession) : null;
      scan.run(files, Math.max(0, anchorSource - 1), anchorSource + 1,
          (line, from, to) -> session == null || session.in(line, from, to),
          (event, source) -> {
            if (!anchorSession.equals(event.session())) {
              return true;
            }
            if (event.event().equals("routed") && term.equals(event.id())) {
              return false; // the transaction is complete
            }
            transaction.add(event);
            return true;
          });
      transaction.events().forEach(e -> found.putIfAbsent(e.line(), e));
    }
    List<TracedEvent> events = new ArrayList<>(found.values());
    events.sort(Comparator.comparing(TracedEvent::at)); // stable: same-instant lines keep file order
    return new TrackingSearch.Timeline(events, scan.stats(events.size(), !complete, start));
  }

  /** Takes the event when it belongs to the message, learning its sessions and ids; false to stop. */
  private boolean follow(TracedEvent e, int source) {
    String session = e.session();
    String id = e.id();
    boolean belongs = switch (e.event()) {
      case "received" -> {
        boolean asked = term.equals(session) || term.equals(TraceQuery.bare(e.text("message_id")));
        if (asked) {
          links.addSession(session);
        } else {
          links.removeSession(session); // the session's next message is another one
        }
        yield asked;
      }
      case "routed" -> {
        boolean mine = links.hasSession(session) || term.equals(id);
        if (mine) {
          links.addId(id);
          if (term.equals(id) && !links.hasSession(session)) {
            anchorSession = session;
            anchorSource = source;
          }
        }
        if (!term.equals(session)) {
          links.endTransaction(session); // later lines of the session are about other messages
        }
        yield mine;
      }
      case "discarded", "rejected" -> {
        boolean mine = term.equals(session) || links.inTransaction(session);
        if (mine && !term.equals(session) && "data".equals(e.text("stage"))) {
          links.endTransaction(session); // the message was refused whole: its story in the session ends
        }
        yield mine;
      }
      default -> {
        boolean mine = term.equals(id) || links.hasId(id) || term.equals(e.text("notification"));
        if (mine && e.event().equals("dsn-queued") && (term.equals(id) || links.hasId(id))) {
          links.addId(e.text("notification")); // follow the notification to its delivery
        }
        yield mine;
      }
    };
    if (belongs) {
      found.putIfAbsent(e.line(), e);
    }
    return true;
  }
}
