package relay.server.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * Turns a reply as Angus Mail reports it (code plus the raw response text, possibly several lines
 * each starting with the code) into an {@link SmtpReply}. Stateless.
 */
final class UpstreamReply {

  private static final Pattern LINE = Pattern.compile("^(\\d{3})?[ -]?(?:([245]\\.\\d{1,3}\\.\\d{1,3}) )?(.*)$");

  private UpstreamReply() {}

  static SmtpReply parse(int code, String response) {
    int safeCode = code >= 200 && code <= 599 ? code : 451;
    EnhancedStatus status = null;
    List<String> lines = new ArrayList<>();
    for (String raw : (response == null ? "" : response).split("\\r?\\n")) {
      Matcher m = LINE.matcher(raw.strip());
      if (!m.matches()) {
        continue;
      }
      if (status == null && m.group(2) != null) {
        status = EnhancedStatus.parse(m.group(2));
      }
      if (!m.group(3).isEmpty()) {
        lines.add(m.group(3));
      }
    }
    if (lines.isEmpty()) {
      lines.add("(no text)");
    }
    return new SmtpReply(safeCode, status, lines);
  }
}
