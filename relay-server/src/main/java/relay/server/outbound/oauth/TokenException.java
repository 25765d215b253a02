package relay.server.outbound.oauth;

import java.util.Optional;

/**
 * No token could be obtained: the endpoint refused (see {@link #errorReply()}), or could not be
 * reached, or answered something that is not a token reply. The message is meant for the operator
 * and names the token URL and, for a refusal, the AADSTS description and support ids; it never
 * holds the client secret, the assertion or a token.
 */
public final class TokenException extends Exception {

  private final transient TokenErrorReply errorReply;

  TokenException(String message, TokenErrorReply errorReply, Throwable cause) {
    super(message, cause);
    this.errorReply = errorReply;
  }

  /** The endpoint's error reply, when it gave one. */
  public Optional<TokenErrorReply> errorReply() {
    return Optional.ofNullable(errorReply);
  }

  /**
   * True when retrying cannot help until the configuration changes (the endpoint refused the
   * credential, client or tenant): the caller should hold and alert rather than retry soon.
   */
  public boolean isConfigurationProblem() {
    return errorReply != null && errorReply.isConfigurationProblem();
  }
}
