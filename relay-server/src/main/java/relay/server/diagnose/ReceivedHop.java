package relay.server.diagnose;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code Received:} field (RFC 5321 section 4.4) read for the hop list: who handed the
 * message over ({@code from}), who took it ({@code by}), how ({@code with}) and when (the date
 * after the last semicolon). Names are the first word of each clause, comments removed; a clause
 * that is missing is null. Immutable.
 *
 * @param number the hop's place in the chain, 1 for the oldest
 * @param from the sending host as it named itself, or null
 * @param by the receiving host, or null
 * @param with the protocol, or null
 * @param dateText the date as written, or null when the field has none
 * @param date the date read, or null when there is none or it cannot be read
 * @param delay the time since the previous dated hop (negative when the clocks disagree), or null
 */
public record ReceivedHop(int number, String from, String by, String with, String dateText, OffsetDateTime date,
    Duration delay) {

  private static final Pattern FROM = Pattern.compile("(?i)(?:^|\\s)from\\s+(\\S+)");
  private static final Pattern BY = Pattern.compile("(?i)(?:^|\\s)by\\s+(\\S+)");
  private static final Pattern WITH = Pattern.compile("(?i)(?:^|\\s)with\\s+(\\S+)");

  /** The hop that the unfolded {@code value} of a Received field describes, without a delay yet. */
  public static ReceivedHop parse(int number, String value) {
    int semicolon = value.lastIndexOf(';');
    String dateText = semicolon < 0 ? null : value.substring(semicolon + 1).strip();
    String clauses = MailDateText.withoutComments(semicolon < 0 ? value : value.substring(0, semicolon));
    OffsetDateTime date = dateText == null ? null : MailDateText.parse(dateText).orElse(null);
    return new ReceivedHop(number, word(FROM, clauses), word(BY, clauses), word(WITH, clauses),
        dateText == null || dateText.isEmpty() ? null : dateText, date, null);
  }

  ReceivedHop withDelay(Duration newDelay) {
    return new ReceivedHop(number, from, by, with, dateText, date, newDelay);
  }

  /** Whether this hop is stamped earlier than the one before it. */
  public boolean skewed() {
    return delay != null && delay.isNegative();
  }

  private static String word(Pattern clause, String text) {
    Matcher m = clause.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  /** The date as an Optional, for callers that chain. */
  public Optional<OffsetDateTime> when() {
    return Optional.ofNullable(date);
  }
}
