package relay.core.policy;

/**
 * What an inbound connector does with message lines that end in a bare LF or contain a bare CR.
 * Neither setting ever lets a bare line ending terminate DATA: only CRLF.CRLF does.
 */
public enum BareLineEndings {
  /** Rewrite bare LF line endings to CRLF (old devices send them); the default. */
  NORMALIZE,
  /** Refuse the message at end of DATA with {@code 550 5.6.11}. */
  REJECT
}
