package relay.core.dsn;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * RFC 5322 section 3.3 date-time text, e.g. {@code Mon, 23 Nov 2026 10:15:00 +0000}: English day
 * and month names whatever the default locale, numeric zone (never the obsolete {@code GMT}).
 * Stateless.
 */
final class MailDate {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

  private MailDate() {}

  static String format(Instant instant, ZoneId zone) {
    return FORMAT.format(instant.atZone(zone));
  }
}
