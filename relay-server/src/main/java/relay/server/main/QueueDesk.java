package relay.server.main;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import relay.core.connector.OutboundConnector;
import relay.core.envelope.MessageId;
import relay.core.metrics.ConnectorQueue;
import relay.core.metrics.QueueCensus;
import relay.core.routing.header.HeaderSection;
import relay.core.schedule.DeliveryScheduler;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.server.admin.ActionOutcome;
import relay.server.admin.ConnectorAction;
import relay.server.admin.ConnectorLedger;
import relay.server.admin.ConnectorState;
import relay.server.admin.MessageDetail;
import relay.server.admin.QueueAction;
import relay.server.admin.QueueEntry;
import relay.server.admin.QueueFilter;
import relay.server.cluster.ConnectorSuspensions;
import relay.server.admin.QueueOperations;
import relay.server.admin.QueueSummary;

/**
 * The queue as the admin API sees it: listings and summaries read from the spool (streamed, or
 * from its indexes), and operator actions handed to the delivery scheduler of the message's
 * connector, which owns the message's in-memory state. A message's connector is the one its spool
 * record names, so an action never moves mail to another connector.
 *
 * <p>Thread-safe: holds no state of its own; blocks on disk I/O.
 */
final class QueueDesk implements QueueOperations {

  /** Age buckets of the summary, as upper bounds; the last one is open. */
  private static final List<Map.Entry<String, Duration>> AGES = List.of(
      Map.entry("<5m", Duration.ofMinutes(5)), Map.entry("5m-1h", Duration.ofHours(1)),
      Map.entry("1h-4h", Duration.ofHours(4)), Map.entry("4h-1d", Duration.ofDays(1)),
      Map.entry("1d-2d", Duration.ofDays(2)));
  private static final String OLDEST = ">2d";
  /** Header fields {@code show} reads, in the order it lists them. */
  private static final List<String> SHOWN = List.of("From", "To", "Cc", "Subject", "Message-ID", "Date");
  /** Enough for any header section worth showing; the rest of a message is never read for {@code show}. */
  private static final int HEADER_BYTES = 64 << 10;

  private final Spool spool;
  private final OutboundLanes lanes;
  private final InstantSource clock;
  private final ConnectorLedger ledger;
  private final QueueCensus census;
  private final Function<String, Optional<Duration>> tokenLeft;
  private final Optional<ConnectorSuspensions> cluster;

  /**
   * @param census the metrics' count of each connector's queue (from indexes: cheap at any size)
   * @param tokenLeft time left on a connector's OAuth token, if it holds one
   * @param cluster where a connector's suspension or resumption is recorded for every node; empty
   *     for a single node
   */
  QueueDesk(Spool spool, OutboundLanes lanes, InstantSource clock, ConnectorLedger ledger, QueueCensus census,
      Function<String, Optional<Duration>> tokenLeft, Optional<ConnectorSuspensions> cluster) {
    this.cluster = cluster;
    this.spool = spool;
    this.lanes = lanes;
    this.clock = clock;
    this.ledger = ledger;
    this.census = census;
    this.tokenLeft = tokenLeft;
  }

  @Override
  public void list(QueueFilter filter, Predicate<QueueEntry> each) throws IOException {
    Instant now = clock.instant();
    spool.forEachId(id -> {
      Optional<QueueEntry> entry = read(id).map(this::entry);
      return entry.isEmpty() || !filter.matches(entry.get(), now) || each.test(entry.get());
    });
  }

  @Override
  public QueueSummary summary() throws IOException {
    List<QueueSummary.ConnectorQueue> connectors = new ArrayList<>();
    for (ConnectorQueue c : census.latest().values()) {
      connectors.add(new QueueSummary.ConnectorQueue(c.connector(), lanes.lane(c.connector()).isPresent(), c.active(),
          c.deferred(), c.held(), c.oldest().orElse(null)));
    }
    Map<String, Long> ages = new LinkedHashMap<>();
    AGES.forEach(a -> ages.put(a.getKey(), 0L));
    ages.put(OLDEST, 0L);
    Instant now = clock.instant();
    long[] total = {0};
    // Names only: the id says when the message was accepted, so no message file is opened.
    spool.forEachId(id -> {
      total[0]++;
      spool.acceptedAt(id).ifPresent(at -> ages.merge(bucket(Duration.between(at, now)), 1L, Long::sum));
      return true;
    });
    return new QueueSummary(total[0], connectors, ages);
  }

  private static String bucket(Duration age) {
    return AGES.stream().filter(a -> age.compareTo(a.getValue()) < 0).map(Map.Entry::getKey).findFirst().orElse(OLDEST);
  }

  @Override
  public Optional<MessageDetail> show(String id) throws IOException {
    Optional<QueuedMessage> found = parse(id).flatMap(this::read);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    QueuedMessage message = found.get();
    HeaderSection section;
    try (InputStream in = spool.body(message).open()) {
      section = HeaderSection.parse(in.readNBytes(HEADER_BYTES));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : SHOWN) {
      section.decodedValues(name).stream().findFirst().ifPresent(v -> headers.put(name, v.strip()));
    }
    return Optional.of(new MessageDetail(entry(message), message.envelope().client().address(),
        message.envelope().client().inboundConnector(), headers));
  }

  @Override
  public Optional<InputStream> content(String id) throws IOException {
    Optional<QueuedMessage> found = parse(id).flatMap(this::read);
    return found.isEmpty() ? Optional.empty() : Optional.of(spool.body(found.get()).open());
  }

  @Override
  public ActionOutcome act(String id, QueueAction action) throws IOException {
    Optional<MessageId> parsed = parse(id);
    Optional<QueuedMessage> found = parsed.flatMap(this::read);
    if (found.isEmpty()) {
      return new ActionOutcome(ActionOutcome.Result.NOT_FOUND, "no queued message " + id);
    }
    QueuedMessage message = found.get();
    String connector = connectorOf(message);
    Optional<OutboundLanes.Lane> lane = lanes.lane(connector);
    if (lane.isEmpty()) {
      return ActionOutcome.notDone("its connector '" + connector + "' is not configured: load a configuration "
          + "with it (the message waits for it), then act");
    }
    DeliveryScheduler scheduler = lane.get().scheduler();
    MessageId messageId = parsed.get();
    return switch (action) {
      case RETRY -> scheduler.retryNow(messageId) ? ActionOutcome.done("due now")
          : ActionOutcome.notDone(why(message, "nothing pending to retry (held mail needs release)"));
      case HOLD -> scheduler.suspend(messageId) ? ActionOutcome.done("held until released")
          : ActionOutcome.notDone(why(message, "nothing pending to hold"));
      case RELEASE -> scheduler.release(messageId) ? ActionOutcome.done("released: due now")
          : ActionOutcome.notDone("not held");
      case DELETE, BOUNCE -> switch (scheduler.remove(messageId, action == QueueAction.BOUNCE)) {
        case REMOVED -> ActionOutcome.done(action == QueueAction.BOUNCE
            ? "removed; its sender gets a failure notice" : "removed");
        case IN_FLIGHT -> ActionOutcome.notDone("an attempt is under way: try again when it has ended");
        case NOT_QUEUED -> new ActionOutcome(ActionOutcome.Result.NOT_FOUND, "no queued message " + id);
      };
    };
  }

  private String why(QueuedMessage message, String otherwise) {
    return connectorLane(message).map(s -> s.inWindow(message.id())).orElse(false)
        ? "an attempt may be under way: try again shortly" : otherwise;
  }

  @Override
  public List<ConnectorState> connectors() {
    List<ConnectorState> out = new ArrayList<>();
    for (OutboundLanes.Lane lane : lanes.running()) {
      DeliveryScheduler s = lane.scheduler();
      String name = lane.connector().name();
      long deferred;
      long held;
      try {
        deferred = spool.parkedCount(name);
        held = spool.heldCount(name);
      } catch (IOException e) {
        deferred = -1;
        held = -1;
      }
      out.add(new ConnectorState(name, type(lane.connector()), s.isSuspended(), s.pausedUntil().orElse(null),
          s.inMemory(), s.inFlight(), deferred, held, ledger.of(name).orElse(null),
          tokenLeft.apply(name).map(Duration::toSeconds).orElse(null)));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  @Override
  public Optional<ActionOutcome> act(String connector, ConnectorAction action) {
    return lanes.lane(connector).map(lane -> {
      DeliveryScheduler s = lane.scheduler();
      // Recorded for every node first (they follow within a second), then here.
      String where = switch (action) {
        case SUSPEND, RESUME -> cluster.map(c -> c.publish(connector, action == ConnectorAction.SUSPEND)
            ? " (on every node)"
            : " (on this node only: the cluster store is unreachable)").orElse("");
        case RETRY -> "";
      };
      switch (action) {
        case SUSPEND -> s.suspend();
        case RESUME -> s.resume();
        case RETRY -> s.retryAll();
      }
      return ActionOutcome.done(switch (action) {
        case SUSPEND -> "suspended: no new attempts, mail keeps queueing";
        case RESUME -> "resumed";
        case RETRY -> "every waiting message is due now";
      } + where);
    });
  }

  private QueueEntry entry(QueuedMessage m) {
    List<QueueEntry.RecipientEntry> recipients = m.recipients().stream()
        .map(r -> new QueueEntry.RecipientEntry(r.recipient().address().address(),
            r.status().name().toLowerCase(java.util.Locale.ROOT), r.attempts(),
            r.lastReply() == null ? null : r.lastReply().line()))
        .toList();
    return new QueueEntry(m.id().value(), connectorOf(m), state(m),
        m.envelope().sender().isNull() ? "<>" : m.envelope().sender().address(), recipients,
        m.bodySize(), m.envelope().receivedAt(), m.attempts(), m.nextAttemptAt(), m.requireTls());
  }

  private QueueEntry.State state(QueuedMessage m) {
    if (m.isHeld()) {
      boolean byOperator = m.recipients().stream().filter(r -> r.status() == RecipientStatus.HELD)
          .allMatch(r -> r.lastReply() != null && DeliveryScheduler.SUSPENDED.equals(r.lastReply().line()));
      return byOperator ? QueueEntry.State.SUSPENDED : QueueEntry.State.HELD;
    }
    return connectorLane(m).map(s -> s.inWindow(m.id())).orElse(false) ? QueueEntry.State.ACTIVE
        : QueueEntry.State.DEFERRED;
  }

  private Optional<DeliveryScheduler> connectorLane(QueuedMessage m) {
    return lanes.lane(connectorOf(m)).map(OutboundLanes.Lane::scheduler);
  }

  private static String connectorOf(QueuedMessage m) {
    return m.connector() == null ? "(not routed yet)" : m.connector();
  }

  private static String type(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop d -> "drop";
      case OutboundConnector.SmartHost s -> "smart-host";
      case OutboundConnector.Mx m -> "mx";
      case OutboundConnector.SmtpAuth a -> "smtp-auth";
      case OutboundConnector.Graph g -> "graph";
    };
  }

  private Optional<QueuedMessage> read(MessageId id) {
    try {
      return spool.read(id);
    } catch (IOException e) {
      return Optional.empty(); // removed or unreadable meanwhile: not listed
    }
  }

  private static Optional<MessageId> parse(String id) {
    try {
      return Optional.of(new MessageId(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
