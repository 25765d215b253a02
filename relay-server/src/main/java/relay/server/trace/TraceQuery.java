package relay.server.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link TrackingSearch#search} looks for: a time window and any of the filters; an event is
 * shown when it passes every filter given. Immutable; build with {@link #window} and the
 * {@code with...} methods.
 *
 * <p>Matching: {@code sender} and {@code recipient} equal the address (case-insensitive, angle
 * brackets optional) when given as a whole address {@code local@domain}, else are a
 * case-insensitive substring ({@code @contoso.com}, {@code scanner}); {@code subject} is a
 * case-insensitive substring; {@code messageId} (angle brackets optional), {@code queueId},
 * {@code client} and {@code user} are exact. {@code statuses} are event names ({@code received},
 * {@code routed}, {@code discarded}, {@code rejected}, {@code delivered}, {@code deferred},
 * {@code failed}, {@code held}, {@code expired}, {@code dsn-queued}; {@code dsn} for the last).
 * "Case-insensitive" folds ASCII letters only, as the byte pre-filter does.
 *
 * @param since the window's start (inclusive)
 * @param until the window's end (inclusive)
 * @param limit the most events handed out; at least 1
 */
public record TraceQuery(
    Instant since, Instant until, String sender, String recipient, String messageId, String queueId, String client,
    String subject, String user, Set<String> statuses, int limit) {

  /** The default for {@code --limit}. */
  public static final int DEFAULT_LIMIT = 1000;
  /** The default window, back from now. */
  public static final Duration DEFAULT_WINDOW = Duration.ofHours(48);
  /** Every event name a tracking line may have. */
  public static final Set<String> EVENTS = Set.of("received", "routed", "discarded", "rejected", "delivered", "deferred",
      "failed", "held", "expired", "dsn-queued", "operator");

  public TraceQuery {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    if (until.isBefore(since)) {
      throw new IllegalArgumentException("the window ends (" + until + ") before it starts (" + since + ")");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    sender = bare(sender);
    recipient = bare(recipient);
    messageId = bare(messageId);
    queueId = blankToNull(queueId);
    client = blankToNull(client);
    subject = blankToNull(subject);
    user = blankToNull(user);
    TreeSet<String> names = new TreeSet<>();
    for (String status : statuses) {
      String name = status.strip().toLowerCase(Locale.ROOT);
      name = name.equals("dsn") ? "dsn-queued" : name;
      if (!EVENTS.contains(name)) {
        throw new IllegalArgumentException("unknown status '" + status + "'; one of " + new TreeSet<>(EVENTS) + " or dsn");
      }
      names.add(name);
    }
    statuses = Set.copyOf(names);
  }

  /** Everything from {@code since} to {@code until}, no filter, the default limit. */
  public static TraceQuery window(Instant since, Instant until) {
    return new TraceQuery(since, until, null, null, null, null, null, null, null, Set.of(), DEFAULT_LIMIT);
  }

  public TraceQuery withSender(String value) {
    return new TraceQuery(since, until, value, recipient, messageId, queueId, client, subject, user, statuses, limit);
  }

  public TraceQuery withRecipient(String value) {
    return new TraceQuery(since, until, sender, value, messageId, queueId, client, subject, user, statuses, limit);
  }

  public TraceQuery withMessageId(String value) {
    return new TraceQuery(since, until, sender, recipient, value, queueId, client, subject, user, statuses, limit);
  }

  public TraceQuery withQueueId(String value) {
    return new TraceQuery(since, until, sender, recipient, messageId, value, client, subject, user, statuses, limit);
  }

  public TraceQuery withClient(String value) {
    return new TraceQuery(since, until, sender, recipient, messageId, queueId, value, subject, user, statuses, limit);
  }

  public TraceQuery withSubject(String value) {
    return new TraceQuery(since, until, sender, recipient, messageId, queueId, client, value, user, statuses, limit);
  }

  public TraceQuery withUser(String value) {
    return new TraceQuery(since, until, sender, recipient, messageId, queueId, client, subject, value, statuses, limit);
  }

  public TraceQuery withStatuses(Set<String> value) {
    return new TraceQuery(since, until, sender, recipient, messageId, queueId, client, subject, user, value, limit);
  }

  public TraceQuery withLimit(int value) {
    return new TraceQuery(since, until, sender, recipient, messageId, queueId, client, subject, user, statuses, value);
  }

  /** Whether {@code at} lies in the window. */
  public boolean covers(Instant at) {
    return !at.isBefore(since) && !at.isAfter(until);
  }

  /**
   * Without surrounding blanks and one pair of angle brackets ({@code <>}, the null sender, stays as
   * it is); null when blank.
   */
  static String bare(String value) {
    String v = blankToNull(value);
    if (v != null && v.length() > 2 && v.startsWith("<") && v.endsWith(">")) {
      v = v.substring(1, v.length() - 1).strip();
    }
    return v == null || v.isEmpty() ? null : v;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
