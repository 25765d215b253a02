package relay.server.outbound;

/**
 * No host of a connector could be used: every connect, greeting or required STARTTLS failed. The
 * message says why for each host (for logs and the recipients' last reply); never a secret.
 */
final class UpstreamUnreachableException extends Exception {

  private static final long serialVersionUID = 1L;

  UpstreamUnreachableException(String reason) {
    super(reason);
  }
}
