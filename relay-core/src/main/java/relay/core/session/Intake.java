package relay.core.session;

/**
 * Whether the node takes new mail. {@link #DRAINED} is an operator's decision (before patching or
 * handing the queue to another node): new transactions are refused with {@code 421 4.3.2} so that
 * clients and load balancers go to another host, while the queue keeps being delivered.
 */
public enum Intake {
  OPEN,
  DRAINED
}
