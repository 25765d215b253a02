package relay.server.outbound;

import relay.core.delivery.LocalCause;

/**
 * No host of a connector could be used: every connect, greeting or required STARTTLS failed. The
 * message says why for each host (for logs and the recipients' last reply); never a secret. The
 * cause is the last host's: what the final try ran into.
 */
final class UpstreamUnreachableException extends Exception {

  private static final long serialVersionUID = 1L;

  private final LocalCause localCause;

  UpstreamUnreachableException(LocalCause cause, String reason) {
    super(reason);
    this.localCause = cause;
  }

  /** What kind of failure the last host tried ended in. */
  LocalCause localCause() {
    return localCause;
  }
}
