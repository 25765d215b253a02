package relay.server.outbound;

import java.util.Optional;
import relay.core.reply.SmtpReply;

/**
 * What an upstream's refusal means for the operator of the connector being tested, and what to
 * change: Microsoft 365's documented codes first, then generic SMTP classes. Used by
 * {@link ConnectorProbe}; whether a reply holds or bounces mail stays the {@code ReplyClassifier}'s
 * concern. Stateless.
 */
final class ProbeHints {

  static final String M365_CERTIFICATE = "*.mail.protection.outlook.com";

  private ProbeHints() {}

  /** A hint for {@code reply}, if there is one. */
  static Optional<String> forReply(SmtpReply reply) {
    String status = reply.status() == null ? "" : reply.status().toString();
    String text = String.join(" ", reply.lines());
    String hint = switch (status) {
      case "5.7.139" -> "SMTP AUTH is disabled for the tenant or the mailbox (or Security Defaults block it): "
          + "enable it for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) "
          + "or the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $false)";
      case "5.7.3" -> "the token or password was refused: for OAuth, the app needs the SMTP.SendAsApp permission "
          + "with admin consent, a service principal in Exchange (New-ServicePrincipal with the enterprise "
          + "application's object id) and FullAccess on the mailbox (Add-MailboxPermission)";
      case "5.7.30" -> "Basic authentication is no longer accepted: switch the connector to OAuth (XOAUTH2)";
      case "5.7.57" -> "the upstream wants SMTP AUTH before MAIL FROM: use an smtp-auth connector, or the "
          + "tenant's MX host with an inbound connector";
      case "5.7.60" -> "the mailbox may not send as this sender: grant Send As (Add-RecipientPermission) "
          + "or map the sender to a mailbox that may, in the connector's identities";
      case "5.7.64" -> "no inbound connector in the tenant matches the relay's IP address or certificate: "
          + "add the relay's public IP or certificate subject to an inbound connector (from your "
          + "organization's email server), and send from one of the tenant's accepted domains";
      case "5.7.68" -> "the tenant refuses Direct Send: use an inbound connector or SMTP AUTH";
      case "4.7.66" -> "the upstream refuses TLS 1.0/1.1: set min-version to TLSv1.2";
      case "5.7.233" -> "the tenant's external recipient rate limit was reached: mail waits until it clears";
      case "4.3.2" -> "too many concurrent sessions for this mailbox (Microsoft allows 3)";
      case "5.1.1", "5.1.10" -> "the recipient does not exist at the destination: check --to";
      case "5.7.1" -> "relaying or sending was refused by policy: check that the upstream lets this "
          + "relay's address or sign-in relay for this sender and recipient";
      default -> null;
    };
    if (hint == null && text.contains("SubmissionQuotaExceeded")) {
      hint = "the mailbox's daily sending quota is used up: mail waits until the window frees";
    }
    if (hint == null && reply.code() == 421) {
      hint = "the upstream is not taking connections now (maintenance, throttling or an IP block): try again later "
          + "or ask its operator";
    }
    if (hint == null && reply.code() == 554 && status.isEmpty()) {
      hint = "the upstream refuses this client: check that it allows the relay's address";
    }
    return Optional.ofNullable(hint);
  }

  /** The hint for a certificate name mismatch, with Microsoft's name when the host is Microsoft's. */
  static String certificateName(String host) {
    if (host.toLowerCase(java.util.Locale.ROOT).endsWith(".mail.protection.outlook.com")) {
      return "Microsoft 365's MX hosts present " + M365_CERTIFICATE + ": set tls-names = [\"" + M365_CERTIFICATE
          + "\"]; any other name means something in between (a TLS-inspecting firewall) answers";
    }
    return "set tls-names to a name the certificate carries (if it really is this server), or fix the "
        + "server's certificate; a firewall inspecting TLS also presents its own";
  }
}
