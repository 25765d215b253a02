package relay.core.delivery;

import java.util.List;
import relay.core.reply.EnhancedStatus;

/**
 * The rows of {@link ReplyClassifier#STANDARD_RULES}: the special cases Relay knows about, most of
 * them Microsoft 365's (see M365.md, "Status codes a relay must classify"), each with the note an
 * operator reads in {@code relay explain}. One table for both: the verdict and its explanation are
 * the same row.
 *
 * <p>Throttling, even as a 5xx, means "later and slower"; replies that only a configuration change
 * can cure mean "hold". Microsoft's 5.7.x codes above 5.7.27 are its own, so they match on the
 * status whatever the reply code. Rows whose meaning is the RFC 5321 default (a 5xx that bounces)
 * are here for their note: they change no verdict. Order matters: first match wins.
 */
final class StandardReplyRules {

  private StandardReplyRules() {}

  static final List<ReplyRule> RULES = List.of(
      rule(530, "5.7.0", GraphAnswer.PREFIX, ReplyMeaning.CONFIGURATION, note(
          "Microsoft Graph refused the app",
          "Graph answered 401, 403 or 404 to sendMail: the app lacks the Mail.Send application permission "
              + "or admin consent, an application access policy excludes the mailbox (ErrorAccessDenied), the "
              + "token was for another resource, or the mailbox does not exist.",
          "Grant Mail.Send (application) with admin consent, add the mailbox to the application access "
              + "policy's group, and check the identity's mailbox. Relay holds the mail.")),
      rule(451, "4.3.2", GraphAnswer.PREFIX, ReplyMeaning.THROTTLED, note(
          "Microsoft Graph throttled the mailbox",
          "Graph answered 429 Too Many Requests (or 503 with Retry-After): more than 4 requests at once or "
              + "too many messages per minute for the mailbox and app.",
          "Lower the connector's pacing. Relay rests the mailbox at least as long as Retry-After asks (and at "
              + "least throttle-pause) and retries; it does not bounce.")),
      rule(432, "4.3.2", null, ReplyMeaning.THROTTLED, note(
          "Too many concurrent connections (thread limit)",
          "Exchange Online takes at most 3 concurrent SMTP AUTH sessions per mailbox; the next one gets "
              + "'STOREDRV.ClientSubmit; sender thread limit exceeded' (or 'recipient thread limit' when one "
              + "mailbox receives too fast).",
          "Keep the connector's concurrent sessions per mailbox at 3 or fewer. Relay retries later and slower.")),
      rule(554, "5.2.0", "QuotaExceeded", ReplyMeaning.THROTTLED, note(
          "Sending quota exceeded",
          "The mailbox went over an Exchange Online sending limit (10,000 recipients per rolling 24 hours, "
              + "30 messages per minute): 'SubmissionQuotaExceededException'.",
          "Wait for the window to free, spread the volume over several mailboxes, or lower the connector's "
              + "rate. Relay defers and retries; it does not bounce.")),
      range(0, "5.2.251", "5.2.255", ReplyMeaning.THROTTLED, note(
          "Sender throttled after continuous errors",
          "Microsoft throttles a mailbox that keeps failing to submit (repeated errors in a short time).",
          "Find the failure that came before in the trace and fix it. Relay slows that mailbox down.")),
      rule(421, "4.7.66", null, ReplyMeaning.CONFIGURATION, note(
          "TLS 1.0 and 1.1 are not supported",
          "The connection to Microsoft 365 used TLS older than 1.2.",
          "Use TLS 1.2 or newer on the outbound connector. Relay holds the mail until the connector is fixed.")),
      rule(535, "5.7.3", null, ReplyMeaning.CONFIGURATION, note(
          "Authentication unsuccessful",
          "The OAuth token or the password was refused: wrong mailbox, app without SMTP.SendAsApp consent, "
              + "service principal or mailbox permission missing, or an expired secret.",
          "Check the app registration, admin consent, New-ServicePrincipal and Add-MailboxPermission for the "
              + "mailbox. Relay asks for a fresh token once, then holds the mail.")),
      rule(0, "5.7.139", null, ReplyMeaning.CONFIGURATION, note(
          "SMTP AUTH is disabled",
          "SMTP client authentication is turned off for the tenant or the mailbox, or Security Defaults block it.",
          "Enable SMTP AUTH for the sending mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) "
              + "or use a connector relay. Relay holds the mail.")),
      rule(0, "5.7.30", null, ReplyMeaning.CONFIGURATION, note(
          "Basic authentication is not supported",
          "The tenant no longer accepts a password for SMTP AUTH.",
          "Switch the connector to OAuth (XOAUTH2). Relay holds the mail.")),
      rule(0, "5.7.57", null, ReplyMeaning.CONFIGURATION, note(
          "Client not authenticated to send mail",
          "MAIL FROM came before a successful AUTH on the submission endpoint (smtp.office365.com:587), "
              + "or the recipient's tenant rejects anonymous senders.",
          "Give the connector credentials, or relay through the tenant's MX with an inbound connector. "
              + "Relay holds the mail.")),
      rule(0, "5.7.60", null, ReplyMeaning.CONFIGURATION, note(
          "No permission to send as this sender",
          "The authenticated mailbox may not send as the envelope or From address.",
          "Grant Send As (Add-RecipientPermission) or map the sender to its own mailbox in the connector. "
              + "Relay holds the mail.")),
      rule(0, "5.7.64", null, ReplyMeaning.CONFIGURATION, note(
          "Relay access denied (TenantAttribution)",
          "Mail relayed to the tenant's MX was not attributed to the tenant: no inbound connector matches "
              + "the source IP or certificate, or the sender domain is not an accepted domain.",
          "Check the inbound connector (IP or certificate name) and the accepted domains. Relay holds the mail.")),
      rule(0, "5.7.68", null, ReplyMeaning.CONFIGURATION, note(
          "Direct Send not allowed",
          "The tenant rejects unauthenticated Direct Send to its MX.",
          "Use SMTP AUTH or a connector relay with an inbound connector. Relay holds the mail.")),
      rule(554, "5.2.2", null, ReplyMeaning.CONFIGURATION, note(
          "Mailbox full",
          "At submission: the sending mailbox (often its Sent Items) is over its quota. In an NDR about a "
              + "recipient: the recipient's mailbox is full.",
          "Free space in the sending mailbox or raise its quota. Relay holds the mail.")),
      rule(0, "4.4.7", null, ReplyMeaning.PERMANENT, note(
          "Message expired",
          "The message stayed queued longer than its lifetime: the receiving side kept failing or timing out.",
          "Check that the receiving server takes mail and that the address is right. Relay bounces.")),
      rule(0, "5.7.233", null, ReplyMeaning.THROTTLED, note(
          "Tenant external recipient rate limit exceeded",
          "The whole tenant sent to more external recipients in 24 hours than its limit (TERRL).",
          "Wait for the rolling window to free; check for a compromised account or unexpected bulk mail. "
              + "Relay defers the tenant's mail instead of bouncing it.")),
      // The rows below keep the RFC 5321 default (a 5xx bounces); they are here for their note.
      rule(0, "5.1.1", null, ReplyMeaning.PERMANENT, note(
          "Recipient not found",
          "The address does not exist (typo, deleted or unlicensed mailbox); Microsoft writes "
              + "'RESOLVER.ADR.RecipNotFound'.",
          "Check the address; the recipient's admin checks that the mailbox exists. Relay bounces.")),
      rule(0, "5.1.8", null, ReplyMeaning.PERMANENT, note(
          "Access denied, bad outbound sender",
          "Microsoft blocked the sending account for sending spam, usually because it was compromised.",
          "Secure the account, then release it from the restricted entities in the Microsoft Defender portal. "
              + "Relay bounces.")),
      rule(0, "5.4.1", null, ReplyMeaning.PERMANENT, note(
          "Recipient address rejected: access denied",
          "The recipient's tenant does not know the address (Directory-Based Edge Blocking), or its domain "
              + "is not set up to accept the mail.",
          "Check the address; the recipient's admin checks the mailbox and the accepted domain. Relay bounces.")),
      rule(0, "5.7.1", null, ReplyMeaning.PERMANENT, note(
          "Delivery not authorized",
          "The recipient or group accepts mail only from some senders (internal, authenticated or listed), "
              + "or a mail flow rule refused it.",
          "Ask the recipient's admin to allow the sender. Relay bounces.")),
      rule(0, "5.7.124", null, ReplyMeaning.PERMANENT, note(
          "Sender not in the group's allowed senders",
          "The recipient is a group that takes mail only from listed senders.",
          "Ask the group owner to add the sender. Relay bounces.")),
      range(0, "5.7.501", "5.7.503", ReplyMeaning.PERMANENT, note(
          "Access denied, spam abuse detected",
          "The sending account was banned for sending spam.",
          "Secure the account and ask Microsoft support to lift the ban. Relay bounces.")),
      range(0, "5.7.606", "5.7.649", ReplyMeaning.PERMANENT, note(
          "Access denied, banned sending IP",
          "The sending IP address is on Microsoft's block list.",
          "Request delisting through Microsoft's delist portal (sender.office.com). Relay bounces.")),
      rule(0, "5.7.708", null, ReplyMeaning.PERMANENT, note(
          "Access denied, traffic not accepted from this IP",
          "Microsoft does not accept this IP's mail, typically a new tenant sending from a low-reputation "
              + "address.",
          "Send through a connector with a good reputation or ask Microsoft support. Relay bounces.")));

  private static ReplyNote note(String title, String cause, String fix) {
    return new ReplyNote(title, cause, fix);
  }

  private static ReplyRule rule(int code, String status, String text, ReplyMeaning meaning, ReplyNote note) {
    return range(code, status, status, text, meaning, note);
  }

  private static ReplyRule range(int code, String first, String last, ReplyMeaning meaning, ReplyNote note) {
    return range(code, first, last, null, meaning, note);
  }

  private static ReplyRule range(
      int code, String first, String last, String text, ReplyMeaning meaning, ReplyNote note) {
    return new ReplyRule(code, EnhancedStatus.parse(first), EnhancedStatus.parse(last), text, meaning, note);
  }
}
