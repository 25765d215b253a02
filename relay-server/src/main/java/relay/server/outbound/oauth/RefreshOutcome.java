package relay.server.outbound.oauth;

/** How one token request ended, for metrics ({@code result} tag) and logs. A closed set. */
public enum RefreshOutcome {
  /** A new token was issued. */
  SUCCEEDED,
  /** The endpoint refused the credential, client or tenant: a configuration problem. */
  REFUSED,
  /** Unreachable, timed out, throttled, server trouble or a malformed reply: may pass. */
  FAILED;

  static RefreshOutcome of(TokenException e) {
    return e.isConfigurationProblem() ? REFUSED : FAILED;
  }
}
