package relay.server.trace;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as an operator types it for {@code --since} and {@code --until}: a span back from
 * now ({@code 90s}, {@code 30m}, {@code 2h}, {@code 3d}, {@code 1w}, or ISO {@code PT2H}), an ISO
 * instant ({@code 2026-03-01T08:00:00Z}, with an offset too), a date and time without a zone or a
 * date alone, both taken as UTC (the logs' zone: {@code 2026-03-01T08:00}, {@code 2026-03-01}).
 * Stateless; "now" is passed in.
 */
public final class TimeArgument {

  private static final Pattern SPAN = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

  private TimeArgument() {}

  /**
   * The instant {@code text} names, relative forms counted back from {@code now}.
   *
   * @throws IllegalArgumentException when it is none of the forms, saying which there are
   */
  public static Instant parse(String text, Instant now) {
    String t = text.strip();
    Matcher span = SPAN.matcher(t.toLowerCase(Locale.ROOT));
    if (span.matches()) {
      long n = Long.parseLong(span.group(1));
      Duration back = switch (span.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
      return now.minus(back);
    }
    try {
      if (t.startsWith("P") || t.startsWith("p")) {
        return now.minus(Duration.parse(t.toUpperCase(Locale.ROOT)));
      }
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (t.endsWith("Z") || t.endsWith("z") || t.matches(".*[+-]\\d{2}:?\\d{2}$")) {
        return OffsetDateTime.parse(t.toUpperCase(Locale.ROOT)).toInstant();
      }
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time: use a span back from now (90s, 30m, 2h, 3d, 1w), "
          + "an ISO instant (2026-03-01T08:00:00Z) or a UTC date (2026-03-01) or date and time (2026-03-01T08:00)");
    }
  }
}
