package relay.server.inbound;

import java.util.Locale;
import relay.core.metrics.SmtpStage;

/**
 * What the adapter derives from a raw command line before the session sees it: the SMTP stage it
 * belongs to (the {@code stage} label of {@code relay_messages_rejected_total}) and the text that
 * may go to the protocol log. Pure functions; thread-safe.
 */
final class CommandLineText {

  private CommandLineText() {}

  /** The stage the command opens; unknown verbs are {@link SmtpStage#COMMAND}. */
  static SmtpStage stage(String line) {
    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : "";
    return switch (verb) {
      case "EHLO", "HELO" -> SmtpStage.HELO;
      case "MAIL" -> SmtpStage.MAIL;
      case "RCPT" -> SmtpStage.RCPT;
      case "DATA", "BDAT" -> SmtpStage.DATA;
      case "AUTH" -> SmtpStage.AUTH;
      default -> SmtpStage.COMMAND;
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
