package relay.core.envelope;

/** RFC 3461 {@code RET=}: whether a DSN carries the full message or only its headers. */
public enum DsnReturn {
  FULL,
  HDRS
}
