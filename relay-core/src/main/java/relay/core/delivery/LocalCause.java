package relay.core.delivery;

import relay.core.reply.EnhancedStatus;

/**
 * Why an attempt's outcome comes from Relay itself rather than from an upstream reply: the closed
 * set of things that can happen before, around or instead of an SMTP conversation. What each one
 * means for the recipient (delivered, transient, permanent, held) is decided by
 * {@link ReplyClassifier}; this type only names it and carries its RFC 3463 status.
 *
 * <p>Each cause has the subject and detail of its RFC 3463 enhanced status code; the class comes
 * from the event being reported ({@link #status(int)}): a delivery status notification about a
 * recipient that failed when its lifetime ran out says {@code 4.4.1} for a refused connection
 * (class 4, as the failure itself was transient; Postfix does the same), while a permanent failure
 * of the same kind would be {@code 5.4.1}. The choices, all from RFC 3463 section 3 (and RFC 7505
 * for the null MX):
 *
 * <ul>
 *   <li>X.4.1 "No answer from host": the connection was refused, timed out or was greeted with an
 *       error, for every host tried.
 *   <li>X.4.2 "Bad connection": the connection was made but broke off or stalled during the
 *       transaction (timeouts included, as RFC 3463 says).
 *   <li>X.4.3 "Directory server failure": a DNS lookup failed (SERVFAIL, timeout).
 *   <li>X.1.2 "Bad destination system address": the domain does not exist (NXDOMAIN).
 *   <li>X.1.10 "Recipient address has null MX" (RFC 7505 section 4.2).
 *   <li>X.7.4 "Security features not supported": TLS was required and the upstream did not offer
 *       STARTTLS, or the session could not be encrypted.
 *   <li>X.7.5 "Cryptographic failure": the TLS handshake failed or the certificate was refused.
 *   <li>X.7.0 "Other or undefined security status": no credential could be had for SMTP AUTH
 *       (the token endpoint failed).
 *   <li>X.4.5 "Mail system congestion": Relay's own pacing kept the message back.
 *   <li>X.3.5 "System incorrectly configured": the connector cannot send this message as
 *       configured (no mailbox for the sender, credentials refused by the token endpoint).
 *   <li>X.3.0 "Other or undefined mail system status": a local failure (a drop folder that cannot
 *       be written, a transport that gave no outcome).
 *   <li>X.0.0 for {@link #FOLDER_WRITTEN} (success) and {@link #UNCLASSIFIED}.
 * </ul>
 *
 * <p>Enum constants are never stored by ordinal: the spool codec writes its own fixed codes.
 */
public enum LocalCause {
  /** Written to a drop folder: delivered as far as Relay is concerned. */
  FOLDER_WRITTEN(0, 0),
  /** No host answered: connection refused, timed out, or greeted with an error. */
  CONNECTION_FAILED(4, 1),
  /** The connection broke off or stalled after it was made. */
  CONNECTION_LOST(4, 2),
  /** A DNS lookup for the destination failed. */
  DNS_FAILED(4, 3),
  /** The recipient's domain does not exist. */
  NO_SUCH_DOMAIN(1, 2),
  /** The recipient's domain publishes a null MX: it accepts no mail. */
  NULL_MX(1, 10),
  /** TLS was required but could not be had (STARTTLS not offered, session not encrypted). */
  TLS_UNAVAILABLE(7, 4),
  /** The TLS handshake failed or the server's certificate was refused. */
  TLS_FAILED(7, 5),
  /** No credential for SMTP AUTH could be had just now (the token endpoint failed). */
  CREDENTIAL_UNAVAILABLE(7, 0),
  /** Relay's own pacing of a mailbox kept the message back. */
  PACED(4, 5),
  /** The connector cannot send this message as configured; an operator must act. */
  MISCONFIGURED(3, 5),
  /** Something failed on Relay's side (disk, an unexpected error). */
  LOCAL_ERROR(3, 0),
  /**
   * Not known: a reason recorded as text by a release before causes were typed, read back from
   * the spool.
   */
  UNCLASSIFIED(0, 0);

  private final int subject;
  private final int detail;

  LocalCause(int subject, int detail) {
    this.subject = subject;
    this.detail = detail;
  }

  /** The enhanced status code for this cause in class {@code statusClass} (2, 4 or 5). */
  public EnhancedStatus status(int statusClass) {
    return new EnhancedStatus(statusClass, subject, detail);
  }

  /** Whether the cause has a status of its own, more than the undefined {@code X.0.0}. */
  public boolean hasSpecificStatus() {
    return subject != 0 || detail != 0;
  }
}
