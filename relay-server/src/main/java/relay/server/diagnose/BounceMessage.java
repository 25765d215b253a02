package relay.server.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import relay.core.reply.SmtpReply;

/**
 * A bounce as read by {@code relay explain}: the blocks of its {@code message/delivery-status}
 * part when it has one (RFC 3464; also {@code message/global-delivery-status}, RFC 6533), and the
 * replies quoted in the text for people before it (Microsoft 365 NDRs write "Remote server
 * returned '550 5.1.1 ...'", Postfix "said: 550 5.1.1 ..."). A message without a status part is
 * read as text alone. The returned original after the status part is not read: its header fields
 * would only add noise. Immutable.
 *
 * @param reportingMta the Reporting-MTA value, or null
 * @param recipients the per-recipient blocks, in order
 * @param quoted the replies found in the text for people, in order
 */
public record BounceMessage(String reportingMta, List<RecipientStatus> recipients, List<SmtpReply> quoted) {

  private static final Pattern STATUS_PART = Pattern.compile(
      "(?i)^content-type:\\s*message/(global-)?delivery-status\\b.*");

  public BounceMessage {
    recipients = List.copyOf(recipients);
    quoted = List.copyOf(quoted);
  }

  /** Reads {@code text} (a whole message, or only its text). */
  public static BounceMessage parse(String text) {
    List<String> lines = List.of(text.split("\r?\n", -1));
    int part = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (STATUS_PART.matcher(lines.get(i)).matches()) {
        part = i;
        break;
      }
    }
    if (part < 0) {
      return new BounceMessage(null, List.of(), ReplyText.findAll(text));
    }
    String prose = String.join("\n", lines.subList(0, part));
    int body = part;
    while (body < lines.size() && !lines.get(body).isBlank()) {
      body++; // the rest of the part's header section
    }
    List<Map<String, String>> blocks = blocks(lines, body + 1);
    String reportingMta = blocks.isEmpty() ? null : blocks.getFirst().get("reporting-mta");
    List<RecipientStatus> recipients = new ArrayList<>();
    for (Map<String, String> block : blocks.subList(Math.min(1, blocks.size()), blocks.size())) {
      recipients.add(new RecipientStatus(block.get("final-recipient"), block.get("action"), block.get("status"),
          block.get("remote-mta"), block.get("diagnostic-code")));
    }
    return new BounceMessage(reportingMta, recipients, ReplyText.findAll(prose));
  }

  /** The field blocks from {@code start} to the next MIME boundary, each a map of lower-case names. */
  private static List<Map<String, String>> blocks(List<String> lines, int start) {
    List<Map<String, String>> blocks = new ArrayList<>();
    Map<String, String> block = new LinkedHashMap<>();
    String last = null;
    for (int i = start; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("--")) {
        break; // the boundary: no status field starts with two hyphens
      }
      if (line.isBlank()) {
        if (!block.isEmpty()) {
          blocks.add(block);
          block = new LinkedHashMap<>();
        }
        last = null;
      } else if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
        block.merge(last, " " + line.strip(), String::concat); // folded (RFC 5322 section 2.2.3)
      } else if (line.indexOf(':') > 0) {
        String name = line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT);
        // The first of repeated fields counts; a repeat's continuation lines must not extend it.
        last = block.putIfAbsent(name, line.substring(line.indexOf(':') + 1).strip()) == null ? name : null;
      }
    }
    if (!block.isEmpty()) {
      blocks.add(block);
    }
    return blocks;
  }
}
