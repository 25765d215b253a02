package relay.core.session;

/** Why the spool could not take a message: out of space (452 4.3.1) or any other failure (451 4.3.0). */
public enum SpoolFailure {
  FULL,
  ERROR
}
