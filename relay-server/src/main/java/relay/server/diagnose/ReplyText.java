package relay.server.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * Finds SMTP replies written as text: a reply line ({@code 550 5.7.60 SMTP; Client does not have
 * permissions...}), a {@code Diagnostic-Code: smtp; 550 5.1.1 ...} value, or replies quoted inside
 * prose (Microsoft's "Remote server returned '550 5.1.1 ...'", Postfix's "host mx[...] said: 550
 * 5.1.1 ..."). A reply needs a code of 2xx..5xx; the enhanced status is optional but, when
 * present, must agree with the code's class (RFC 3463 section 3), else it is text. Stateless.
 */
public final class ReplyText {

  private ReplyText() {}

  // A code not glued to other digits or dots, then - or space, then optionally x.y.z.
  private static final Pattern REPLY = Pattern.compile(
      "(?<![\\w.#])([2-5][0-9][0-9])(?:[ -]+#?([245]\\.[0-9]{1,3}\\.[0-9]{1,3})(?![\\w.]))?[ -]*([^\\r\\n]*)");

  private static final Pattern STATUS = Pattern.compile("(?<![\\w.#])#?([245]\\.[0-9]{1,3}\\.[0-9]{1,3})(?![\\w.])");

  /** The reply that {@code line} is (ignoring a leading {@code smtp;}), if it starts with one. */
  public static Optional<SmtpReply> parse(String line) {
    String text = line.strip();
    if (text.regionMatches(true, 0, "smtp;", 0, 5)) {
      text = text.substring(5).strip();
    }
    Matcher m = REPLY.matcher(text);
    if (!m.lookingAt()) {
      return Optional.empty();
    }
    return reply(m);
  }

  /** Every reply that carries an enhanced status anywhere in {@code text}, in order. */
  public static List<SmtpReply> findAll(String text) {
    List<SmtpReply> found = new ArrayList<>();
    Matcher m = REPLY.matcher(text);
    while (m.find()) {
      if (m.group(2) != null) {
        reply(m).ifPresent(found::add);
      }
    }
    return found;
  }

  /** The first enhanced status written anywhere in {@code text} (e.g. {@code #5.1.1} in an old NDR). */
  public static Optional<EnhancedStatus> findStatus(String text) {
    Matcher m = STATUS.matcher(text);
    return m.find() ? Optional.of(EnhancedStatus.parse(m.group(1))) : Optional.empty();
  }

  private static Optional<SmtpReply> reply(Matcher m) {
    int code = Integer.parseInt(m.group(1));
    EnhancedStatus status = m.group(2) == null ? null : EnhancedStatus.parse(m.group(2));
    String rest = m.group(3).strip();
    if (status != null && status.statusClass() != code / 100) {
      return Optional.empty(); // "250 5.1.1" is not a reply anyone sends
    }
    if (rest.endsWith("'") || rest.endsWith("\"")) {
      rest = rest.substring(0, rest.length() - 1).strip(); // Microsoft quotes the reply in its NDR text
    }
    return Optional.of(new SmtpReply(code, status, List.of(rest)));
  }
}
