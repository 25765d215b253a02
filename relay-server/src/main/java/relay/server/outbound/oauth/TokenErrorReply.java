package relay.server.outbound.oauth;

import java.util.List;
import java.util.Objects;

/**
 * An error reply of the token endpoint, in the shape Entra ID uses: {@code error} (an RFC 6749 code
 * such as {@code invalid_client}), {@code error_description} (starting with an {@code AADSTS} code),
 * {@code error_codes}, {@code timestamp}, {@code trace_id} and {@code correlation_id}. The ids let
 * Microsoft support find the request; the operator needs all of it, so {@link #summary()} shows it.
 *
 * <p>Absent fields are empty strings / an empty list. Immutable. Holds no secret: the endpoint never
 * echoes one, and {@link TokenClient} masks one if it ever did.
 */
public record TokenErrorReply(
    int httpStatus,
    String error,
    String description,
    List<Long> errorCodes,
    String timestamp,
    String traceId,
    String correlationId) {

  public TokenErrorReply {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(description, "description");
    errorCodes = List.copyOf(errorCodes);
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(correlationId, "correlationId");
  }

  /**
   * True when the endpoint refused the request itself (bad credential, unknown client or tenant,
   * missing consent): asking again will not help until the operator changes something. False for
   * throttling and server trouble, which pass.
   */
  public boolean isConfigurationProblem() {
    return httpStatus >= 400 && httpStatus < 500 && httpStatus != 408 && httpStatus != 429;
  }

  /** One line for the operator: status, error, description and the support ids. */
  public String summary() {
    StringBuilder s = new StringBuilder("HTTP ").append(httpStatus);
    if (!error.isEmpty()) {
      s.append(' ').append(error);
    }
    if (!description.isEmpty()) {
      s.append(": ").append(description);
    }
    if (!errorCodes.isEmpty()) {
      s.append(" (error_codes ").append(errorCodes).append(')');
    }
    if (!traceId.isEmpty()) {
      s.append(" trace_id=").append(traceId);
    }
    if (!correlationId.isEmpty()) {
      s.append(" correlation_id=").append(correlationId);
    }
    if (!timestamp.isEmpty()) {
      s.append(" timestamp=").append(timestamp);
    }
    return s.toString();
  }
}
