package relay.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * Whether the node takes new mail and what its queue still holds: what {@code relay drain} shows
 * and waits on. Counts come from a census taken for the answer (never a cached one), so a caller
 * that waits for the queue to empty sees it as soon as it has. Immutable.
 *
 * @param accepting whether the listeners take new mail
 * @param drainedSince when the node was drained, or null while accepting
 * @param drainedBy who drained it (a token's name), or null while accepting
 * @param deliverable messages still to be delivered: in memory (in flight included) or deferred
 * @param held messages held or suspended: they stay until an operator releases them
 * @param recovering true while the start-up walk of the spool has not finished: messages it has not
 *     reached yet are in no count, so the queue is not known to be empty
 * @param connectors per connector with mail
 */
public record IntakeReport(boolean accepting, Instant drainedSince, String drainedBy, long deliverable, long held,
    boolean recovering, List<Waiting> connectors) {

  public IntakeReport {
    connectors = List.copyOf(connectors);
  }

  /** True when nothing is left to deliver: only held or suspended mail, if any, and recovery done. */
  @JsonProperty("emptied")
  public boolean emptied() {
    return deliverable == 0 && !recovering;
  }

  /** What one connector still holds. */
  public record Waiting(String connector, long active, long deferred, long held) {}
}
