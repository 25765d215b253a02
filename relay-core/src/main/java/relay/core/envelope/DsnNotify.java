package relay.core.envelope;

/** RFC 3461 {@code NOTIFY=} values of one recipient. {@code NEVER} excludes the others. */
public enum DsnNotify {
  NEVER,
  SUCCESS,
  FAILURE,
  DELAY
}
