package relay.server.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import relay.core.routing.header.HeaderSection;

/**
 * Decodes the anti-spam header fields that Exchange Online Protection stamps on a message
 * ({@code X-Forefront-Antispam-Report}, {@code X-Microsoft-Antispam}, {@code
 * X-MS-Exchange-Organization-SCL}, {@code X-MS-Exchange-Organization-AuthAs}), after Microsoft's
 * public "Anti-spam message headers" page, in our own words. Entries we do not know are listed
 * with their value and no meaning. Stateless.
 */
public final class MicrosoftAntispam {

  private MicrosoftAntispam() {}

  private static final Map<String, String> SFV = Map.ofEntries(
      Map.entry("BLK", "blocked: the sender is on the recipient's Blocked Senders list"),
      Map.entry("NSPM", "not spam: spam filtering found nothing"),
      Map.entry("SFE", "filtering skipped: the sender is on the recipient's Safe Senders list"),
      Map.entry("SKA", "filtering skipped: allowed senders or domains of the anti-spam policy"),
      Map.entry("SKB", "marked spam: blocked senders or domains of the anti-spam policy"),
      Map.entry("SKI", "filtering skipped: internal mail of the same organization"),
      Map.entry("SKN", "marked not spam before filtering (for example by a mail flow rule)"),
      Map.entry("SKQ", "released from quarantine"),
      Map.entry("SKS", "marked spam before filtering (for example by a mail flow rule)"),
      Map.entry("SPM", "spam: marked by spam filtering"));

  private static final Set<String> SPAM_VERDICTS = Set.of("BLK", "SKB", "SKS", "SPM");

  private static final Map<String, String> CAT = Map.ofEntries(
      Map.entry("NONE", "no protection policy applied"),
      Map.entry("BULK", "bulk mail"),
      Map.entry("DIMP", "domain impersonation"),
      Map.entry("GIMP", "impersonation found by mailbox intelligence"),
      Map.entry("HPHSH", "high-confidence phishing"),
      Map.entry("HPHISH", "high-confidence phishing"),
      Map.entry("HSPM", "high-confidence spam"),
      Map.entry("MALW", "malware"),
      Map.entry("PHSH", "phishing"),
      Map.entry("SPM", "spam"),
      Map.entry("SPOOF", "spoofing (failed composite authentication)"),
      Map.entry("UIMP", "user impersonation"),
      Map.entry("AMP", "anti-malware policy"),
      Map.entry("SAP", "Safe Attachments"),
      Map.entry("OSPM", "outbound spam"));

  private static final Map<String, String> DIR = Map.of(
      "INB", "inbound: from outside the organization", "OUT", "outbound: to outside the organization",
      "INT", "internal: within the organization");

  private static final Map<String, String> IPV = Map.of(
      "CAL", "the connecting IP is on the IP Allow List: spam filtering was skipped",
      "NLI", "the connecting IP is on no reputation list");

  /** Every decoded entry of the Microsoft anti-spam fields of {@code headers}, in field order. */
  public static List<AntispamField> decode(HeaderSection headers) {
    List<AntispamField> out = new ArrayList<>();
    for (String value : headers.values("X-Forefront-Antispam-Report")) {
      for (String[] entry : entries(value)) {
        out.add(forefront(entry[0], entry[1]));
      }
    }
    for (String value : headers.values("X-Microsoft-Antispam")) {
      for (String[] entry : entries(value)) {
        if (entry[0].equalsIgnoreCase("BCL")) {
          out.add(bcl(entry[1]));
        }
      }
    }
    for (String value : headers.values("X-MS-Exchange-Organization-SCL")) {
      out.add(scl("X-MS-Exchange-Organization-SCL", value.strip()));
    }
    for (String value : headers.values("X-MS-Exchange-Organization-AuthAs")) {
      out.add(new AntispamField("X-MS-Exchange-Organization-AuthAs", "AuthAs", value.strip(),
          switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "anonymous" -> "the sender did not authenticate: treated as external mail";
            case "internal" -> "the sender authenticated as part of the organization";
            case "partner" -> "the sender came through a partner connector";
            default -> null;
          }, false));
    }
    return out;
  }

  /** {@code NAME:value;NAME:value;} entries; a value may hold colons (an IPv6 CIP). */
  private static List<String[]> entries(String value) {
    List<String[]> out = new ArrayList<>();
    for (String entry : value.split(";")) {
      int colon = entry.indexOf(':');
      if (colon > 0) {
        out.add(new String[] {entry.substring(0, colon).strip(), entry.substring(colon + 1).strip()});
      }
    }
    return out;
  }

  private static AntispamField forefront(String name, String value) {
    String field = "X-Forefront-Antispam-Report";
    String upper = value.toUpperCase(Locale.ROOT);
    return switch (name.toUpperCase(Locale.ROOT)) {
      case "SCL" -> scl(field, value);
      case "SFV" -> new AntispamField(field, name, value, SFV.get(upper), SPAM_VERDICTS.contains(upper));
      case "CAT" -> new AntispamField(field, name, value, CAT.get(upper), !upper.equals("NONE") && CAT.containsKey(upper));
      case "CIP" -> new AntispamField(field, name, value, "the connecting IP address", false);
      case "CTRY" -> new AntispamField(field, name, value, "the country of the connecting IP address", false);
      case "LANG" -> new AntispamField(field, name, value, "the language the message is written in", false);
      case "IPV" -> new AntispamField(field, name, value, IPV.get(upper), false);
      case "H" -> new AntispamField(field, name, value, "the HELO/EHLO name of the connecting server", false);
      case "PTR" -> new AntispamField(field, name, value, "the reverse DNS name of the connecting IP address", false);
      case "DIR" -> new AntispamField(field, name, value, DIR.get(upper), false);
      case "SRV" -> new AntispamField(field, name, value, upper.equals("BULK") ? "bulk mail (BCL over the threshold)"
          : value.isEmpty() ? "no special verdict" : null, upper.equals("BULK"));
      case "SFP" -> new AntispamField(field, name, value, "spam filtering policy code (not documented by Microsoft)", false);
      case "SFS" -> new AntispamField(field, name, value, "the spam filtering rules that matched (internal numbers)", false);
      case "SFTY" -> new AntispamField(field, name, value, "a safety tip was shown (9.19 first contact, 9.20 user "
          + "impersonation, 9.25 sender failed authentication)", false);
      default -> new AntispamField(field, name, value, null, false);
    };
  }

  private static AntispamField scl(String field, String value) {
    Integer level = integer(value);
    String meaning = level == null ? null : switch (level) {
      case -1 -> "filtering skipped (trusted sender, allow list or mail flow rule): Inbox";
      case 0, 1 -> "not spam: Inbox";
      case 5, 6 -> "spam: the anti-spam policy's spam action (Junk Email folder by default)";
      case 7, 8, 9 -> "high-confidence spam: the policy's high-confidence spam action";
      default -> "not a level Microsoft 365 assigns; read as not spam";
    };
    return new AntispamField(field, "SCL", value, meaning, level != null && level >= 5);
  }

  private static AntispamField bcl(String value) {
    Integer level = integer(value);
    String meaning = level == null ? null : level <= 0 ? "not from a bulk sender"
        : level <= 3 ? "from a bulk sender with few complaints"
        : level <= 7 ? "from a bulk sender with a mixed number of complaints"
        : "from a bulk sender with many complaints";
    // 7 is the default bulk threshold of the anti-spam policy.
    return new AntispamField("X-Microsoft-Antispam", "BCL", value, meaning, level != null && level >= 7);
  }

  private static Integer integer(String value) {
    try {
      return Integer.valueOf(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
