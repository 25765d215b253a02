package relay.server.diagnose;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the dates that real header fields carry, which are often not RFC 5322's
 * {@code Mon, 23 Nov 2026 08:15:30 +0000}: comments ({@code (UTC)}, {@code (CET)}), the obsolete
 * forms of RFC 5322 section 4.3 (two- and three-digit years, zone names such as {@code EST} or
 * {@code GMT}, military letters, white space around the colons), missing seconds, fractions of a
 * second, no day name, and the asctime order ({@code Nov 23 08:15:30 2026}). Tokens are classified
 * by shape rather than position, which is what makes the odd orders work. Stateless.
 */
public final class MailDateText {

  private MailDateText() {}

  private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,]\\d+)?)?");
  private static final Pattern OFFSET = Pattern.compile("([+-])(\\d{2}):?(\\d{2})");
  private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
  // RFC 5322 section 4.3; military letters carry no reliable offset there, so they read as -0000.
  private static final Map<String, Integer> ZONES = Map.ofEntries(
      Map.entry("ut", 0), Map.entry("utc", 0), Map.entry("gmt", 0), Map.entry("z", 0),
      Map.entry("est", -5), Map.entry("edt", -4), Map.entry("cst", -6), Map.entry("cdt", -5),
      Map.entry("mst", -7), Map.entry("mdt", -6), Map.entry("pst", -8), Map.entry("pdt", -7));

  /** The instant {@code text} names, with its offset; empty when it is not a date. */
  public static Optional<OffsetDateTime> parse(String text) {
    String plain = withoutComments(text).replaceAll("\\s*:\\s*", ":").replace(',', ' ').strip();
    Integer day = null;
    Integer month = null;
    Integer year = null;
    Matcher time = null;
    ZoneOffset offset = null;
    for (String token : plain.split("\\s+")) {
      String lower = token.toLowerCase(Locale.ROOT);
      Matcher t = TIME.matcher(token);
      Matcher o = OFFSET.matcher(token);
      if (time == null && t.matches()) {
        time = t;
      } else if (o.matches()) {
        int sign = o.group(1).equals("-") ? -1 : 1;
        offset = offsetOf(sign * Integer.parseInt(o.group(2)), sign * Integer.parseInt(o.group(3)));
      } else if (lower.matches("[a-z]{3,}") && month == null && MONTHS.indexOf(lower.substring(0, 3)) % 3 == 0
          && isMonthName(lower)) {
        month = MONTHS.indexOf(lower.substring(0, 3)) / 3 + 1;
      } else if (zone(lower) != null) {
        offset = offsetOf(zone(lower), 0);
      } else if (token.matches("\\d{1,4}")) {
        int n = Integer.parseInt(token);
        if (day == null && token.length() <= 2) {
          day = n; // the day comes before the year in both the RFC 5322 and the asctime order
        } else if (year == null) {
          year = token.length() == 2 ? (n < 50 ? 2000 + n : 1900 + n) : token.length() == 3 ? 1900 + n : n;
        }
      }
    }
    if (day == null || month == null || year == null || time == null) {
      return Optional.empty();
    }
    try {
      LocalDateTime local = LocalDateTime.of(year, month, day, Integer.parseInt(time.group(1)),
          Integer.parseInt(time.group(2)), time.group(3) == null ? 0 : Integer.parseInt(time.group(3)));
      return Optional.of(OffsetDateTime.of(local, offset == null ? ZoneOffset.UTC : offset));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  private static boolean isMonthName(String lower) {
    // "mar" and "march" are months; "marked" is not.
    for (String name : List.of("january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december")) {
      if (name.startsWith(lower)) {
        return true;
      }
    }
    return lower.equals("sept");
  }

  private static Integer zone(String lower) {
    if (lower.length() == 1 && lower.charAt(0) >= 'a' && lower.charAt(0) <= 'z' && lower.charAt(0) != 'j') {
      return 0;
    }
    return ZONES.get(lower);
  }

  private static ZoneOffset offsetOf(int hours, int minutes) {
    try {
      return ZoneOffset.ofHoursMinutes(hours, minutes);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC; // a nonsense offset: keep the date, trust the clock time
    }
  }

  /** {@code text} without RFC 5322 comments (nested, with quoted-pairs). */
  static String withoutComments(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && depth > 0) {
        i++;
      } else if (c == '(') {
        depth++;
        out.append(' ');
      } else if (c == ')' && depth > 0) {
        depth--;
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
