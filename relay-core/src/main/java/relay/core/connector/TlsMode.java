package relay.core.connector;

/**
 * How an outbound connector uses STARTTLS towards its upstream. A closed set, switched over
 * exhaustively.
 *
 * <p>{@link #REQUIRED} means encryption is mandatory but the certificate is not checked, like
 * Postfix's {@code encrypt} level and Exchange's RequireTLS without certificate validation: it
 * defeats passive eavesdropping and STARTTLS stripping, not an active impostor. Checking the chain
 * without the name would add little (anyone can buy a trusted certificate for their own name), so
 * authentication is {@link #VERIFY}'s job, all or nothing.
 */
public enum TlsMode {
  /** Never STARTTLS. */
  NONE,
  /** STARTTLS when offered, any certificate accepted; plain text when not offered. */
  OPPORTUNISTIC,
  /** STARTTLS must succeed (any certificate); else nothing is sent. */
  REQUIRED,
  /**
   * STARTTLS must succeed with a certificate that chains to a trusted CA, is within its validity
   * period and names one of the expected names; else nothing is sent.
   */
  VERIFY
}
