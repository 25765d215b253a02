package relay.server.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import relay.core.metrics.ConnectorQueue;
import relay.core.metrics.QueueCensus;
import relay.core.metrics.QueueState;
import relay.core.schedule.MailboxUse;

/**
 * The queue and pacing gauges, one row per outbound connector and per Microsoft 365 mailbox, read
 * from a {@link QueueCensus} (which reuses a census for up to 10 s, so a scrape never counts twice
 * and never lists the spool):
 *
 * <ul>
 *   <li>{@code relay_queue_messages{connector,state}}: queued messages by {@link QueueState}
 *       ({@code active}, {@code deferred}, {@code held});
 *   <li>{@code relay_queue_oldest_age_seconds{connector}}: how long the earliest-accepted queued
 *       message has waited (0 when none waits);
 *   <li>{@code relay_mailbox_sessions{connector,mailbox}} and {@code relay_mailbox_sessions_limit},
 *       {@code relay_mailbox_messages_per_minute} and {@code relay_mailbox_messages_per_minute_limit},
 *       {@code relay_mailbox_recipients_per_day} and {@code relay_mailbox_recipients_per_day_limit}:
 *       each mailbox's use of its pacing limits ({@link MailboxUse}).
 * </ul>
 *
 * <p>Labels are configured names only: connectors (and the names queued mail still carries after a
 * connector was removed) and the mailboxes of {@code smtp-auth} identities. Rows follow them:
 * {@link #update()} registers the rows of new connectors and mailboxes and removes those of the
 * ones gone; call it after start and after each configuration reload.
 *
 * <p>Threading: {@link #update()} is synchronized; the gauges are read by scrapes on any thread.
 */
public final class QueueGauges {

  private final MeterRegistry registry;
  private final QueueCensus census;
  private final InstantSource clock;
  // guarded by this
  private final Map<String, List<Meter>> connectorRows = new HashMap<>();
  private final Map<List<String>, List<Meter>> mailboxRows = new HashMap<>();

  public QueueGauges(MeterRegistry registry, QueueCensus census, InstantSource clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.census = Objects.requireNonNull(census, "census");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Makes the rows match the connectors and mailboxes of a census taken now. */
  public synchronized void update() {
    Map<String, ConnectorQueue> now = census.take();
    Set<List<String>> mailboxes = new LinkedHashSet<>();
    now.values().forEach(q -> q.mailboxes().forEach(m -> mailboxes.add(List.of(q.connector(), m.mailbox()))));

    connectorRows.entrySet().removeIf(row -> !now.containsKey(row.getKey()) && remove(row.getValue()));
    mailboxRows.entrySet().removeIf(row -> !mailboxes.contains(row.getKey()) && remove(row.getValue()));
    now.keySet().forEach(c -> connectorRows.computeIfAbsent(c, this::connectorRow));
    mailboxes.forEach(key -> mailboxRows.computeIfAbsent(key, k -> mailboxRow(k.get(0), k.get(1))));
  }

  private boolean remove(List<Meter> meters) {
    meters.forEach(registry::remove);
    return true;
  }

  private List<Meter> connectorRow(String connector) {
    List<Meter> row = new ArrayList<>();
    for (QueueState state : QueueState.values()) {
      row.add(Gauge.builder("relay.queue.messages", () -> queue(connector).map(q -> q.count(state)).orElse(0L))
          .description("Queued messages by outbound connector and state: active (in memory: being tried or due "
              + "within a minute), deferred (on disk until their next attempt), held (waiting for an operator)")
          .tag("connector", connector)
          .tag("state", state.label())
          .register(registry));
    }
    row.add(Gauge.builder("relay.queue.oldest.age",
            () -> queue(connector).map(q -> q.oldestAge(clock.instant()).toMillis() / 1000.0).orElse(0.0))
        .description("How long the earliest-accepted message queued for the connector has waited (0 when none waits)")
        .baseUnit("seconds")
        .tag("connector", connector)
        .register(registry));
    return row;
  }

  private List<Meter> mailboxRow(String connector, String mailbox) {
    Supplier<Optional<MailboxUse>> use = () -> queue(connector)
        .flatMap(q -> q.mailboxes().stream().filter(m -> m.mailbox().equals(mailbox)).findFirst());
    return List.of(
        mailboxGauge("relay.mailbox.sessions", "Sessions of the mailbox in use (attempts under way)",
            connector, mailbox, use, MailboxUse::sessions),
        mailboxGauge("relay.mailbox.sessions.limit",
            "Sessions the mailbox may have now: max-sessions, one less for each throttling reply until deliveries succeed",
            connector, mailbox, use, MailboxUse::sessionLimit),
        mailboxGauge("relay.mailbox.messages.per.minute",
            "Messages sent (or being sent) through the mailbox in the current message window (a minute)",
            connector, mailbox, use, MailboxUse::messages),
        mailboxGauge("relay.mailbox.messages.per.minute.limit", "The mailbox's messages-per-minute",
            connector, mailbox, use, MailboxUse::messageLimit),
        mailboxGauge("relay.mailbox.recipients.per.day",
            "Recipients sent to through the mailbox in the rolling recipient window (24 hours)",
            connector, mailbox, use, MailboxUse::recipients),
        mailboxGauge("relay.mailbox.recipients.per.day.limit", "The mailbox's recipients-per-day",
            connector, mailbox, use, MailboxUse::recipientLimit));
  }

  private Meter mailboxGauge(String name, String description, String connector, String mailbox,
      Supplier<Optional<MailboxUse>> use, ToIntFunction<MailboxUse> value) {
    return Gauge.builder(name, () -> use.get().map(value::applyAsInt).orElse(0))
        .description(description)
        .tag("connector", connector)
        .tag("mailbox", mailbox)
        .register(registry);
  }

  private Optional<ConnectorQueue> queue(String connector) {
    return Optional.ofNullable(census.latest().get(connector));
  }
}
