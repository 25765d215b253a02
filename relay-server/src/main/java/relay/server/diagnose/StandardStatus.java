package relay.server.diagnose;

import java.util.Map;
import java.util.Optional;
import relay.core.reply.EnhancedStatus;

/**
 * The standard meaning of an enhanced status code: its class and subject (RFC 3463 section 3) and,
 * where one is registered, its detail (RFC 3463 section 3, RFC 4954, RFC 7372 and the IANA "SMTP
 * Enhanced Status Codes" registry). A detail outside the registry is a server's own code: the
 * class and subject still say something, the detail does not. Stateless.
 */
public final class StandardStatus {

  private StandardStatus() {}

  private static final Map<Integer, String> SUBJECTS = Map.of(
      0, "other or undefined status",
      1, "addressing status",
      2, "mailbox status",
      3, "mail system status",
      4, "network and routing status",
      5, "mail delivery protocol status",
      6, "message content or media status",
      7, "security or policy status");

  private static final Map<String, String> DETAILS = Map.ofEntries(
      Map.entry("0.0", "other undefined status"),
      Map.entry("1.0", "other address status"),
      Map.entry("1.1", "bad destination mailbox address"),
      Map.entry("1.2", "bad destination system address"),
      Map.entry("1.3", "bad destination mailbox address syntax"),
      Map.entry("1.4", "destination mailbox address ambiguous"),
      Map.entry("1.5", "destination address valid"),
      Map.entry("1.6", "destination mailbox has moved, no forwarding address"),
      Map.entry("1.7", "bad sender's mailbox address syntax"),
      Map.entry("1.8", "bad sender's system address"),
      Map.entry("1.10", "recipient address has null MX"),
      Map.entry("2.0", "other or undefined mailbox status"),
      Map.entry("2.1", "mailbox disabled, not accepting messages"),
      Map.entry("2.2", "mailbox full"),
      Map.entry("2.3", "message length exceeds administrative limit"),
      Map.entry("2.4", "mailing list expansion problem"),
      Map.entry("3.0", "other or undefined mail system status"),
      Map.entry("3.1", "mail system full"),
      Map.entry("3.2", "system not accepting network messages"),
      Map.entry("3.3", "system not capable of selected features"),
      Map.entry("3.4", "message too big for system"),
      Map.entry("3.5", "system incorrectly configured"),
      Map.entry("4.0", "other or undefined network or routing status"),
      Map.entry("4.1", "no answer from host"),
      Map.entry("4.2", "bad connection"),
      Map.entry("4.3", "directory server failure"),
      Map.entry("4.4", "unable to route"),
      Map.entry("4.5", "mail system congestion"),
      Map.entry("4.6", "routing loop detected"),
      Map.entry("4.7", "delivery time expired"),
      Map.entry("5.0", "other or undefined protocol status"),
      Map.entry("5.1", "invalid command"),
      Map.entry("5.2", "syntax error"),
      Map.entry("5.3", "too many recipients"),
      Map.entry("5.4", "invalid command arguments"),
      Map.entry("5.5", "wrong protocol version"),
      Map.entry("5.6", "authentication exchange line is too long"),
      Map.entry("6.0", "other or undefined media error"),
      Map.entry("6.1", "media not supported"),
      Map.entry("6.2", "conversion required and prohibited"),
      Map.entry("6.3", "conversion required but not supported"),
      Map.entry("6.4", "conversion with loss performed"),
      Map.entry("6.5", "conversion failed"),
      Map.entry("6.6", "message content not available"),
      Map.entry("6.7", "non-ASCII addresses not permitted for that sender/recipient"),
      Map.entry("7.0", "other or undefined security status"),
      Map.entry("7.1", "delivery not authorized, message refused"),
      Map.entry("7.2", "mailing list expansion prohibited"),
      Map.entry("7.3", "security conversion required but not possible"),
      Map.entry("7.4", "security features not supported"),
      Map.entry("7.5", "cryptographic failure"),
      Map.entry("7.6", "cryptographic algorithm not supported"),
      Map.entry("7.7", "message integrity failure"),
      Map.entry("7.8", "authentication credentials invalid"),
      Map.entry("7.9", "authentication mechanism is too weak"),
      Map.entry("7.10", "encryption needed"),
      Map.entry("7.11", "encryption required for requested authentication mechanism"),
      Map.entry("7.12", "a password transition is needed"),
      Map.entry("7.13", "user account disabled"),
      Map.entry("7.14", "trust relationship required"),
      Map.entry("7.15", "priority level is too low"),
      Map.entry("7.16", "message is too big for the specified priority"),
      Map.entry("7.17", "mailbox owner has changed"),
      Map.entry("7.18", "domain owner has changed"),
      Map.entry("7.19", "RRVS test cannot be completed"),
      Map.entry("7.20", "no passing DKIM signature found"),
      Map.entry("7.21", "no acceptable DKIM signature found"),
      Map.entry("7.22", "no valid author-matched DKIM signature found"),
      Map.entry("7.23", "SPF validation failed"),
      Map.entry("7.24", "SPF validation error"),
      Map.entry("7.25", "reverse DNS validation failed"),
      Map.entry("7.26", "multiple authentication checks failed"),
      Map.entry("7.27", "sender address has null MX"),
      Map.entry("7.28", "mail flood detected"),
      Map.entry("7.29", "ARC validation failure"),
      Map.entry("7.30", "REQUIRETLS support required"));

  /** What the class says: success, persistent transient failure, permanent failure. */
  public static String classMeaning(EnhancedStatus status) {
    return switch (status.statusClass()) {
      case 2 -> "success";
      case 4 -> "persistent transient failure: the same message may succeed later";
      default -> "permanent failure: sending the same message again will not succeed";
    };
  }

  /** What the subject says, e.g. "mailbox status"; "unknown subject" outside 0..7. */
  public static String subjectMeaning(EnhancedStatus status) {
    return SUBJECTS.getOrDefault(status.subject(), "unknown subject");
  }

  /** The registered meaning of subject and detail, if the registry has one. */
  public static Optional<String> detailMeaning(EnhancedStatus status) {
    return Optional.ofNullable(DETAILS.get(status.subject() + "." + status.detail()));
  }
}
