package relay.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Which queued messages an operator means: every part that is present must match. Text parts
 * match case-insensitively as substrings (a recipient filter {@code contoso.com} matches every
 * recipient there). Immutable.
 *
 * @param connector the outbound connector's name, exactly
 * @param state the message's state
 * @param sender part of the envelope sender
 * @param recipient part of any recipient address
 * @param minAge at least this old (since it was received)
 * @param reason part of any recipient's last reply or reason
 */
public record QueueFilter(
    Optional<String> connector,
    Optional<QueueEntry.State> state,
    Optional<String> sender,
    Optional<String> recipient,
    Optional<Duration> minAge,
    Optional<String> reason) {

  /** Every message. */
  public static final QueueFilter ALL = new QueueFilter(Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty());

  /** Whether {@code entry} matches, at {@code now}. */
  public boolean matches(QueueEntry entry, Instant now) {
    return connector.map(c -> c.equals(entry.connector())).orElse(true)
        && state.map(s -> s == entry.state()).orElse(true)
        && sender.map(s -> contains(entry.sender(), s)).orElse(true)
        && recipient.map(r -> entry.recipients().stream().anyMatch(a -> contains(a.address(), r))).orElse(true)
        && minAge.map(a -> !entry.received().plus(a).isAfter(now)).orElse(true)
        && reason.map(r -> entry.recipients().stream().anyMatch(a -> a.lastReply() != null && contains(a.lastReply(), r)))
            .orElse(true);
  }

  private static boolean contains(String text, String part) {
    return text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
  }
}
