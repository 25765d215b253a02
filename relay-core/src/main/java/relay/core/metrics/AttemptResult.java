package relay.core.metrics;

/**
 * How one recipient's delivery attempt ended, as counted by
 * {@link RelayMetrics#deliveryAttempt}: the {@code result} label of
 * {@code relay_delivery_attempts_total}. The label values are part of the documented metrics and
 * never change with a Java rename.
 */
public enum AttemptResult {
  /** The upstream took the message for the recipient. */
  DELIVERED("delivered"),
  /** Not this time; another attempt follows (or the lifetime ran out). */
  TRANSIENT("transient"),
  /** Never: the recipient failed for good. */
  PERMANENT("permanent"),
  /** A configuration problem: the recipient waits for an operator. */
  HELD("held");

  private final String label;

  AttemptResult(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
