package relay.server.inbound;

import java.util.Locale;

/**
 * What the adapter derives from a raw command line before the session sees it: the SMTP stage it
 * belongs to (the {@code stage} label of {@code relay_messages_rejected_total}) and the text that
 * may go to the protocol log. Pure functions; thread-safe.
 */
final class CommandLineText {

  private CommandLineText() {}

  /** helo, mail, rcpt, data, auth, or command. */
  static String stage(String line) {
    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : "";
    return switch (verb) {
      case "EHLO", "HELO" -> "helo";
      case "MAIL" -> "mail";
      case "RCPT" -> "rcpt";
      case "DATA" -> "data";
      case "AUTH" -> "auth";
      default -> "command";
    };
  }

  /** An AUTH line keeps its mechanism; its initial response carries credentials and is never logged. */
  static String loggable(String line) {
    if (!line.regionMatches(true, 0, "AUTH ", 0, 5)) {
      return line;
    }
    int space = line.indexOf(' ', 5);
    return space < 0 ? line : line.substring(0, space) + " <redacted>";
  }
}
