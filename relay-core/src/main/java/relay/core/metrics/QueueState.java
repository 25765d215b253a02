package relay.core.metrics;

/**
 * Where a queued message waits, as counted in {@code relay_queue_messages{connector,state}}. The
 * label values are part of the documented metrics and never change with a Java rename.
 */
public enum QueueState {
  /** In memory: being attempted, or due within a minute (waiting for a slot or its turn in a lane). */
  ACTIVE("active"),
  /** On disk, waiting for its next attempt (a retry, or mail that did not fit the in-memory window). */
  DEFERRED("deferred"),
  /** On disk, waiting for an operator: a configuration problem, a suspension, a missing connector. */
  HELD("held");

  private final String label;

  QueueState(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
