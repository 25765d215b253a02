package relay.server.diagnose;

/**
 * One per-recipient block of a {@code message/delivery-status} part (RFC 3464 section 2.3), as
 * written: values are unfolded and stripped, nothing is interpreted yet. Immutable.
 *
 * @param finalRecipient the Final-Recipient value ({@code rfc822; a@example.com}), or null
 * @param action the Action value, or null
 * @param status the Status value, or null
 * @param remoteMta the Remote-MTA value, or null
 * @param diagnosticCode the Diagnostic-Code value ({@code smtp; 550 5.1.1 ...}), or null
 */
public record RecipientStatus(String finalRecipient, String action, String status, String remoteMta,
    String diagnosticCode) {

  /** The recipient's address without its type ({@code a@example.com}), or "unknown recipient". */
  public String address() {
    if (finalRecipient == null) {
      return "unknown recipient";
    }
    int semicolon = finalRecipient.indexOf(';');
    return finalRecipient.substring(semicolon + 1).strip();
  }

  /** The Remote-MTA's name without its type, or null. */
  public String remoteHost() {
    return remoteMta == null ? null : remoteMta.substring(remoteMta.indexOf(';') + 1).strip();
  }
}
