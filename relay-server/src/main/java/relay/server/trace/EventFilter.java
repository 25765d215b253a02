package relay.server.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides, for one {@link TraceQuery}, which tracking lines a search hands out: first on the raw
 * bytes ({@link #mayMatch}: a {@link Needle} for one of the terms, or a session or queue id already
 * joined), then on the parsed event ({@link #accept}).
 *
 * <p>Each filter answers yes, no, or "this line does not say" (a delivery line names no subject, a
 * received line no queue id). A line is accepted when no filter says no and every one that does
 * not say is answered by the message the line belongs to: a delivery, held or DSN line by its
 * queue id, a discarded or rejected line by its session until the message was queued, when an
 * earlier line of that message matched ({@link Links}: a matching {@code received} line marks its
 * session; a {@code routed} line of a marked session, or one that matches by itself, marks its
 * queue id). A {@code received} line answers every filter but the queue id (a field it lacks counts
 * as no).
 *
 * <p>Why the pre-filter never loses a line: the needle is taken from a filter whose term, when the
 * filter says yes, is in the line as written (see {@link Needle#usable}); a line where that filter
 * does not say is accepted only through a joined session or queue id, which {@link Links#mentioned}
 * lets through. A status needle ({@code "event":"failed"}) is only used when no other filter is
 * given, so that nothing is joined.
 *
 * <p>Not thread-safe: one per search.
 */
final class EventFilter {

  private enum Answer { YES, NO, UNSAID }

  private final TraceQuery query;
  private final List<Needle> needles;
  private final boolean joins;
  private final Links links = new Links();

  EventFilter(TraceQuery query) {
    this.query = query;
    this.joins = query.sender() != null || query.recipient() != null || query.messageId() != null
        || query.client() != null || query.subject() != null || query.user() != null;
    this.needles = needles(query);
  }

  /** The cheap test on a raw line: false only when the line cannot be accepted. */
  boolean mayMatch(byte[] line, int start, int end) {
    if (needles.isEmpty()) {
      return true;
    }
    for (Needle needle : needles) {
      if (needle.in(line, start, end)) {
        return true;
      }
    }
    return joins && links.mentioned(line, start, end);
  }

  /** Whether the parsed event is handed out; learns the sessions and queue ids to join. */
  boolean accept(TracedEvent e) {
    boolean received = e.event().equals("received");
    boolean joined = switch (e.event()) {
      case "routed" -> links.hasSession(e.session());
      case "discarded", "rejected" -> links.inTransaction(e.session());
      case "received" -> false;
      default -> links.hasId(e.id());
    };
    boolean passes = true;
    boolean unsaid = false;
    for (Answer a : answers(e, received)) {
      passes &= a != Answer.NO;
      unsaid |= a == Answer.UNSAID;
    }
    boolean matches = passes && (!unsaid || joined);
    if (joins) {
      if (received) {
        // The queue id is the one thing a received line cannot say: it marks the session anyway.
        if (passes) {
          links.addSession(e.session());
        } else {
          links.removeSession(e.session()); // a new message in that session, not one of ours
        }
      } else if (e.event().equals("routed")) {
        if (matches) {
          links.addId(e.id());
        }
        links.endTransaction(e.session());
      } else if (e.event().equals("rejected") && "data".equals(e.text("stage"))) {
        links.endTransaction(e.session());
      }
    }
    return matches && (query.statuses().isEmpty() || query.statuses().contains(e.event())) && query.covers(e.at());
  }

  private List<Answer> answers(TracedEvent e, boolean received) {
    List<Answer> out = new ArrayList<>(7);
    if (query.sender() != null) {
      out.add(address(e.text("sender"), query.sender(), received));
    }
    if (query.recipient() != null) {
      out.add(recipients(e.recipients(), query.recipient(), received));
    }
    if (query.messageId() != null) {
      String id = TraceQuery.bare(e.text("message_id"));
      out.add(id == null ? absent(received) : yes(id.equals(query.messageId())));
    }
    if (query.queueId() != null) {
      String id = e.id();
      out.add(id == null ? Answer.UNSAID : yes(id.equals(query.queueId()) || query.queueId().equals(e.text("notification"))));
    }
    if (query.client() != null) {
      String client = e.text("client");
      out.add(client == null ? absent(received) : yes(client.equals(query.client())));
    }
    if (query.subject() != null) {
      String subject = e.text("subject");
      out.add(subject == null ? absent(received) : yes(Ascii.containsIgnoreCase(subject, query.subject())));
    }
    if (query.user() != null) {
      String user = e.text("user");
      out.add(user == null ? absent(received) : yes(user.equals(query.user())));
    }
    return out;
  }

  private static Answer address(String value, String wanted, boolean received) {
    return value == null ? absent(received) : yes(addressMatches(value, wanted));
  }

  private static Answer recipients(List<String> values, String wanted, boolean received) {
    if (values.isEmpty()) {
      return absent(received);
    }
    return yes(values.stream().anyMatch(v -> addressMatches(v, wanted)));
  }

  /** A whole address is compared whole; anything else is a substring. */
  static boolean addressMatches(String value, String wanted) {
    String bare = TraceQuery.bare(value);
    if (bare == null) {
      return false;
    }
    return isWholeAddress(wanted) ? Ascii.equalsIgnoreCase(bare, wanted) : Ascii.containsIgnoreCase(value, wanted);
  }

  static boolean isWholeAddress(String text) {
    int at = text.lastIndexOf('@');
    return at > 0 && at < text.length() - 1;
  }

  /** A received line has every field it can have: missing means "not this". */
  private static Answer absent(boolean received) {
    return received ? Answer.NO : Answer.UNSAID;
  }

  private static Answer yes(boolean yes) {
    return yes ? Answer.YES : Answer.NO;
  }

  /**
   * The needle(s) for the most selective term that a needle can find; none: every line is parsed.
   * While lines are joined, the needle must find the {@code received} lines that mark sessions, so
   * it comes from a term those lines carry (not the queue id).
   */
  private static List<Needle> needles(TraceQuery q) {
    if (Needle.usable(q.messageId())) {
      return List.of(Needle.exact(q.messageId()));
    }
    for (String folded : new String[] {q.recipient(), q.sender(), q.subject()}) {
      if (Needle.usable(folded)) {
        return List.of(Needle.foldingCase(folded));
      }
    }
    for (String exact : new String[] {q.user(), q.client()}) {
      if (Needle.usable(exact)) {
        return List.of(Needle.exact(exact));
      }
    }
    boolean joins = q.sender() != null || q.recipient() != null || q.messageId() != null || q.client() != null
        || q.subject() != null || q.user() != null;
    if (joins) {
      return List.of(); // no term a needle can find: every line is parsed
    }
    if (Needle.usable(q.queueId())) {
      return List.of(Needle.exact(q.queueId()));
    }
    if (q.queueId() == null && !q.statuses().isEmpty()) {
      return q.statuses().stream().map(s -> Needle.exact("\"event\":\"" + s + "\"")).toList();
    }
    return List.of();
  }
}
