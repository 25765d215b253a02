package relay.server.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-session events of the transaction a message came in by, picked out of all the events of
 * its session (one session may send several messages): fed the session's events in order, it keeps
 * those since the previous transaction ended. A transaction ends with its {@code routed} lines (one
 * per part), with a refusal of the whole message ({@code rejected} at stage {@code data}), or, when
 * every recipient was discarded, with the next {@code received}.
 *
 * <p>Not thread-safe: one per timeline.
 */
final class Transaction {

  private final List<TracedEvent> events = new ArrayList<>();
  private boolean ended;

  void add(TracedEvent e) {
    boolean routed = e.event().equals("routed");
    if (ended && !routed) {
      events.clear();
      ended = false;
    }
    if (e.event().equals("received") && events.stream().anyMatch(x -> x.event().equals("received"))) {
      events.clear();
    }
    events.add(e);
    ended = routed || (e.event().equals("rejected") && "data".equals(e.text("stage")));
  }

  List<TracedEvent> events() {
    return List.copyOf(events);
  }
}
