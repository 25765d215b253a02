package relay.server.dnscheck;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code tag=value; tag=value} syntax shared by DKIM key records and DMARC records (RFC 6376 3.2). */
final class TagList {

  private TagList() {}

  /** Tags lower-cased, values trimmed, in order; a later duplicate is ignored, a part without '=' skipped. */
  static Map<String, String> parse(String text) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        tags.putIfAbsent(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
      }
    }
    return tags;
  }
}
