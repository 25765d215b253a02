package relay.core.dsn;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.routing.RemoteDomain;
import relay.core.routing.RoutingSnapshot;
import relay.core.spool.QueuedMessage;
import relay.core.spool.Spool;
import relay.core.spool.SpoolTransaction;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * Turns a delivery event of a queued message into a notification queued in the spool like any
 * other message (from {@code <>}, one recipient, no connector chosen: the runtime routes it by its
 * recipient), then hands it over for delivery. Queuing is durable before {@link #queue} returns, so
 * the caller may record the failed recipients afterwards and a crash can only duplicate a notice,
 * never lose it.
 *
 * <p>Whether a notice goes out at all: the {@link DsnPolicy} must be enabled, {@link DsnBuilder}
 * must find someone to tell (never for a {@code <>} message, never against NOTIFY), and the
 * remote-domain settings of the notice's destination must allow delivery reports. It also
 * remembers which messages already had their one delay notice; that memory lives as long as the
 * process (after a restart a message may get a second delay notice, never a second failure notice
 * for the same recipients, whose state is on disk).
 *
 * <p>Threading: every method may be called concurrently from delivery threads; {@link #apply}
 * switches the policy atomically for later calls.
 */
public final class DsnOutbox {

  private static final Logger log = LoggerFactory.getLogger(DsnOutbox.class);

  private final Spool spool;
  private final Consumer<QueuedMessage> onQueued;
  private final Supplier<RoutingSnapshot> routing;
  private final String reportingMta;
  private final DsnTokens tokens;
  private final InstantSource clock;
  private final TrackingLog tracking;
  // Messages that have had their delay notice, newest last. Bounded so that a long outage with a
  // large queue cannot fill the heap: past the bound the oldest entries are forgotten, and such a
  // message, still queued, may get a second delay notice (a duplicate, never a lost notice).
  private final Set<MessageId> delayNoticed = Collections.synchronizedSet(
      Collections.newSetFromMap(new LinkedHashMap<MessageId, Boolean>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<MessageId, Boolean> eldest) {
          return size() > DELAY_NOTICES_REMEMBERED;
        }
      }));
  private static final int DELAY_NOTICES_REMEMBERED = 50_000;
  private volatile DsnPolicy policy;

  /**
   * @param spool where notifications are queued and originals are read from
   * @param onQueued receives each queued notification, to schedule its delivery
   * @param routing the routing in force (its remote-domain settings may forbid reports)
   * @param reportingMta this relay's host name, for {@code Reporting-MTA} and {@code Message-ID}
   * @param tokens unguessable tokens for Message-ID and MIME boundary (e.g. from a SecureRandom)
   * @param clock the date of notifications
   * @param tracking the observation port: each queued notification is recorded there (and counted from there)
   * @param policy whether, to whom and when (delay notices) to notify
   */
  public DsnOutbox(
      Spool spool, Consumer<QueuedMessage> onQueued, Supplier<RoutingSnapshot> routing, String reportingMta,
      DsnTokens tokens, InstantSource clock, TrackingLog tracking, DsnPolicy policy) {
    this.spool = Objects.requireNonNull(spool, "spool");
    this.onQueued = Objects.requireNonNull(onQueued, "onQueued");
    this.routing = Objects.requireNonNull(routing, "routing");
    this.reportingMta = Objects.requireNonNull(reportingMta, "reportingMta");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tracking = Objects.requireNonNull(tracking, "tracking");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** Uses {@code next} for every later notification (a configuration reload). */
  public void apply(DsnPolicy next) {
    this.policy = Objects.requireNonNull(next, "next");
  }

  /**
   * Queues one notification about {@code reports} (one event of {@code original}: its failed, or
   * its delayed, recipients).
   *
   * @return the id of the queued notification, or empty when none is to be sent
   * @throws IOException when it could not be queued durably; nothing was queued then
   */
  public Optional<MessageId> queue(QueuedMessage original, List<RecipientReport> reports) throws IOException {
    boolean delay = reports.stream().anyMatch(r -> r.action() == DsnAction.DELAYED);
    Optional<MessageId> queued = send(original, reports, delay);
    if (delay) {
      // Only once the notice is queued (or found unwanted): a failed write is tried again next time.
      delayNoticed.add(original.id());
    }
    return queued;
  }

  private Optional<MessageId> send(QueuedMessage original, List<RecipientReport> reports, boolean delay)
      throws IOException {
    DsnPolicy now = policy;
    if (!now.enabled()) {
      log.info("message {}: no delivery status notification (notifications are disabled)", original.id());
      return Optional.empty();
    }
    Instant date = clock.instant();
    DeliveryReport report = new DeliveryReport(original.envelope(), original.id(), reportingMta, reports);
    Optional<DeliveryStatusNotification> built = new DsnBuilder(now.settings(), tokens).build(report, date);
    if (built.isEmpty()) {
      log.info("message {}: no delivery status notification ({})", original.id(),
          original.envelope().sender().isNull() ? "the sender is <>" : "no recipient asked for one (NOTIFY)");
      return Optional.empty();
    }
    DeliveryStatusNotification notification = built.get();
    MailPath to = notification.recipient();
    Optional<RemoteDomain> remote = routing.get().remoteSettings(to.domain());
    if (remote.isPresent() && !remote.get().allowDeliveryReports()) {
      log.warn("message {}: no delivery status notification to {}: remote domain '{}' does not allow delivery reports",
          original.id(), to, remote.get().pattern());
      return Optional.empty();
    }
    QueuedMessage queued = write(original, notification, date);
    DsnAction action = delay ? DsnAction.DELAYED : DsnAction.FAILED;
    List<MailPath> about = notification.report().recipients().stream().map(r -> r.recipient().address()).toList();
    log.info("message {}: delivery status notification {} ({}) queued to {} about {}",
        original.id(), queued.id(), action.fieldValue(), to, about);
    tracking.record(new TrackingEvent.DsnQueued(date, original.id(), queued.id(), action.fieldValue(), to, about));
    onQueued.accept(queued);
    return Optional.of(queued.id());
  }

  /**
   * True when {@code message}, still pending at {@code now}, is due its one delay notice: delay
   * notices are on, the message has waited at least that long and has not had one yet.
   */
  public boolean delayNoticeDue(QueuedMessage message, Instant now) {
    Optional<Duration> after = policy.delayNotice();
    return after.isPresent()
        && !now.isBefore(message.envelope().receivedAt().plus(after.get()))
        && !delayNoticed.contains(message.id());
  }

  /** Forgets a message that left the spool. */
  public void forget(MessageId id) {
    delayNoticed.remove(id);
  }

  private QueuedMessage write(QueuedMessage original, DeliveryStatusNotification notification, Instant date)
      throws IOException {
    Envelope envelope = new Envelope(
        notification.sender(), notification.parameters(), List.of(Recipient.of(notification.recipient())),
        new ClientInfo("127.0.0.1", 0, reportingMta, false, "dsn"), date);
    try (SpoolTransaction transaction = spool.begin()) {
      notification.writeTo(transaction.body(), spool.body(original));
      return transaction.commit(envelope);
    }
  }
}
