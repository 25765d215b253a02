package relay.server.main;

import java.io.IOException;
import java.security.SecureRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.SubmissionCredential;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.dsn.DsnOutbox;
import relay.core.dsn.DsnPolicy;
import relay.core.dsn.DsnTokens;
import relay.core.envelope.MessageId;
import relay.core.routing.Route;
import relay.core.routing.Router;
import relay.core.routing.RoutingSnapshot;
import relay.core.limits.NodeLocalLimits;
import relay.core.limits.SharedLimits;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.LaneRule;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;
import relay.server.outbound.DnsMxResolver;
import relay.server.outbound.DropTransport;
import relay.server.outbound.GraphTransport;
import relay.server.outbound.MxTransport;
import relay.server.outbound.SmtpAuthTransport;
import relay.server.outbound.SmtpTransport;
import relay.server.outbound.oauth.RefreshPolicy;
import relay.server.outbound.oauth.TokenClient;
import relay.server.outbound.oauth.TokenMetrics;
import relay.server.outbound.oauth.TokenSources;

/**
 * One delivery scheduler per outbound connector, and the dispatch of queued messages to them by the
 * connector their spool record names. A record without a connector (written by a version before
 * routing) goes where the router sends its first pending recipient, else to the default connector.
 * A message whose connector does not exist in the running configuration is parked in the spool under
 * that connector's name, logged and tracked, never sent elsewhere; a later configuration that has the
 * connector again takes it up. Nothing here holds messages in memory: each scheduler keeps its own
 * bounded window.
 *
 * <p>Every scheduler sends its delivery status notifications through one shared {@link DsnOutbox},
 * which queues them in the spool and hands them back to {@link #submit}.
 *
 * <p>Each connector's scheduler retries on the connector's own schedule
 * ({@link relay.config.model.DeliveryConfig#retryFor}). {@link #apply} makes the lanes match a
 * configuration: unchanged connectors keep their scheduler; changed or removed ones are drained
 * (attempts under way finish) and their waiting messages are dispatched again; new ones get a new
 * transport and scheduler. A connector whose effective retry schedule changed (its own block or,
 * when it inherits, the global one) counts as changed: its waiting messages are dispatched again
 * with their next attempt brought forward to at most the new {@code max-delay} from now, and
 * every later attempt and the lifetime follow the new schedule.
 *
 * <p>Threading: {@link #submit} may be called from any thread; {@link #apply} and {@link #close}
 * from one thread at a time (start-up, then the reloader).
 */
final class OutboundLanes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundLanes.class);
  private static final Duration DRAIN_PATIENCE = Duration.ofSeconds(60);

  /**
   * A running connector with its scheduler and the transport the scheduler delivers through, which
   * this class made and so closes, once the lane's deliveries are over: a lane replaced by a reload
   * would otherwise keep its pooled upstream sessions open and its stall watch ticking.
   */
  record Lane(OutboundConnector connector, RetrySchedule retry, DeliveryScheduler scheduler, Transport transport) {

    /** Ends the lane's deliveries (those under way are interrupted), then releases its transport. */
    void close() {
      try {
        scheduler.close();
      } finally {
        transport.close();
      }
    }
  }

  private final Spool spool;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final ProtocolLog protocolLog;
  private final TrackingLog tracking;
  private final TokenMetrics tokenMetrics;
  private final DsnOutbox notifications;
  private final SharedLimits shared;
  private final Map<String, Lane> lanes = new HashMap<>();
  /** Read: a message being handed to a lane; write: a reload swapping lanes. */
  private final ReentrantReadWriteLock handOver = new ReentrantReadWriteLock();
  private Router router;
  private String defaultConnector;

  OutboundLanes(
      Spool spool, InstantSource clock, RandomGenerator random, ProtocolLog protocolLog,
      TrackingLog tracking, TokenMetrics tokenMetrics, Supplier<RoutingSnapshot> routing, String hostname,
      SharedLimits shared) {
    this.spool = spool;
    this.shared = shared;
    this.tokenMetrics = tokenMetrics;
    this.clock = clock;
    this.random = random;
    this.protocolLog = protocolLog;
    this.tracking = tracking;
    // Notifications are ordinary queued messages: they come back through submit() and are routed
    // by their recipient like any other. The policy is set by apply().
    this.notifications = new DsnOutbox(spool, this::submit, routing, hostname,
        DsnTokens.random(new SecureRandom()), clock, tracking, DsnPolicy.OFF);
  }

  /** Dispatches a newly accepted message to its connector's scheduler. */
  void submit(QueuedMessage message) {
    dispatch(message, true);
  }

  /** Dispatches a message found on disk (recovery, a drained connector) to its connector's scheduler. */
  void recovered(QueuedMessage message) {
    dispatch(message, false);
  }

  private void dispatch(QueuedMessage message, boolean isNew) {
    Lane lane;
    QueuedMessage routed;
    // Held across the hand-over: a reload swaps lanes under the write lock, so once it has swapped,
    // no message is still on its way into a lane it is about to drain (it would wait there, unseen,
    // until the next start).
    handOver.readLock().lock();
    try {
      synchronized (this) {
        routed = message.connector() != null ? message : message.withConnector(connectorFor(message));
        lane = lanes.get(routed.connector());
      }
      if (lane != null) {
        if (isNew) {
          lane.scheduler().submit(routed);
        } else {
          // Found on disk or drained from a replaced lane: its recorded time may obey an older, longer
          // schedule (recovery runs beside reloads), and no wait may outlast the running one.
          lane.scheduler().recovered(rescheduled(routed, lane.retry()));
        }
        return;
      }
    } finally {
      handOver.readLock().unlock();
    }
    LOG.error("message {} is routed to outbound connector '{}', which is not configured: it stays queued "
        + "until a configuration with that connector is loaded", routed.id(), routed.connector());
    tracking.record(new TrackingEvent.Held(clock.instant(), routed.id(), routed.connector()));
    try {
      spool.park(routed);
    } catch (IOException e) {
      LOG.error("message {}: could not park it; it is taken up again at the next start", routed.id(), e);
    }
  }

  /** Makes the lanes match {@code config}; messages of drained lanes are dispatched again. */
  void apply(RelayConfig config) throws IOException {
    Map<String, OutboundConnector> wanted = config.outboundConnectors().stream()
        .collect(Collectors.toMap(OutboundConnector::name, c -> c));
    List<Lane> retired = new ArrayList<>();
    List<Lane> started = new ArrayList<>();
    notifications.apply(config.delivery().dsn());
    for (OutboundConnector connector : config.outboundConnectors()) {
      Lane existing;
      synchronized (this) {
        existing = lanes.get(connector.name());
      }
      RetrySchedule schedule = config.delivery().retryFor(connector.name());
      if (existing != null && existing.connector().equals(connector) && existing.retry().equals(schedule)) {
        continue;
      }
      Transport transport = transport(connector);
      Lane lane = new Lane(connector, schedule, new DeliveryScheduler(
          spool, transport, connector.name(), limits(connector, config.delivery().activeWindow()),
          new RetryPolicy(schedule), clock, random, tracking, Optional.of(notifications), shared), transport);
      started.add(lane);
    }
    handOver.writeLock().lock();
    try {
      swap(wanted, started, retired, config);
    } finally {
      handOver.writeLock().unlock();
    }
    List<QueuedMessage> waiting = new ArrayList<>();
    for (Lane lane : retired) {
      LOG.info("outbound connector '{}' {}: finishing its deliveries under way", lane.connector().name(),
          wanted.containsKey(lane.connector().name()) ? "changed" : "removed");
      // Dispatched again below, which holds each to its new lane's schedule (see dispatch).
      waiting.addAll(lane.scheduler().drain(DRAIN_PATIENCE));
      lane.close();
      RetrySchedule now = wanted.containsKey(lane.connector().name())
          ? config.delivery().retryFor(lane.connector().name()) : lane.retry();
      if (!now.equals(lane.retry())) {
        spool.bringForward(lane.connector().name(), clock.instant().plus(now.maxDelay()));
      }
    }
    for (Lane lane : started) {
      LOG.info("outbound connector '{}' ready", lane.connector().name());
    }
    waiting.forEach(this::recovered);
  }

  /** Puts the started lanes in place of the ones they replace (collected in {@code retired}). */
  private synchronized void swap(Map<String, OutboundConnector> wanted, List<Lane> started, List<Lane> retired,
      RelayConfig config) {
    for (Lane lane : List.copyOf(lanes.values())) {
      OutboundConnector now = wanted.get(lane.connector().name());
      if (now == null || started.stream().anyMatch(s -> s.connector().name().equals(now.name()))) {
        lanes.remove(lane.connector().name());
        retired.add(lane);
      }
    }
    for (Lane lane : started) {
      lanes.put(lane.connector().name(), lane);
      lane.scheduler().start();
    }
    router = config.routing().router();
    defaultConnector = config.defaultConnector().name();
  }

  /**
   * A waiting message under a connector's new schedule: no wait may outlast the new
   * {@code max-delay}, so mail parked for hours by a long schedule is tried soon after the schedule
   * is shortened. The spool record keeps its time; the next attempt's outcome rewrites it.
   */
  private QueuedMessage rescheduled(QueuedMessage message, RetrySchedule schedule) {
    Instant latest = clock.instant().plus(schedule.maxDelay());
    if (!message.nextAttemptAt().isAfter(latest)) {
      return message;
    }
    return message.withState(message.recipients(), message.attempts(), latest);
  }

  /** The running connectors, in no particular order. */
  synchronized List<Lane> running() {
    return List.copyOf(lanes.values());
  }

  /** The running connector of that name. */
  synchronized Optional<Lane> lane(String connector) {
    return Optional.ofNullable(lanes.get(connector));
  }

  /** Names of the connectors with a running scheduler. */
  synchronized Set<String> connectors() {
    return Set.copyOf(lanes.keySet());
  }

  /**
   * Every held message, counted in the spool's index (without reading the messages), and every
   * message waiting for a connector that is not configured.
   */
  long heldMessages() {
    List<Lane> all;
    synchronized (this) {
      all = List.copyOf(lanes.values());
    }
    long held = 0;
    try {
      for (String parked : spool.parkedConnectors()) {
        if (all.stream().noneMatch(l -> l.connector().name().equals(parked))) {
          held += spool.parkedCount(parked);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not count messages waiting for unconfigured connectors: {}", e.toString());
    }
    for (Lane lane : all) {
      try {
        held += spool.heldCount(lane.connector().name());
      } catch (IOException e) {
        LOG.warn("could not count held messages of '{}': {}", lane.connector().name(), e.toString());
      }
    }
    return held;
  }

  private String connectorFor(QueuedMessage message) {
    return message.recipients().stream()
        .filter(r -> r.status() == RecipientStatus.PENDING)
        .findFirst()
        .flatMap(r -> router.route(r.recipient().address().domain()))
        .map(Route::connector)
        .orElse(defaultConnector);
  }

  private Transport transport(OutboundConnector connector) throws IOException {
    return switch (connector) {
      case OutboundConnector.Drop drop -> {
        Files.createDirectories(drop.directory());
        yield new DropTransport(drop);
      }
      case OutboundConnector.SmartHost smartHost ->
          new SmtpTransport(smartHost, ReplyClassifier.standard(), protocolLog);
      case OutboundConnector.Mx mx -> new MxTransport(
          mx, new DnsMxResolver(mx.resolvers(), mx.dnsTimeout(), mx.port(), random), ReplyClassifier.standard(), protocolLog);
      case OutboundConnector.SmtpAuth smtpAuth -> {
        TokenSources tokens =
            new TokenSources(tokenClient(smtpAuth, clock), clock, RefreshPolicy.DEFAULT, tokenMetrics.listener(smtpAuth.name()));
        tokenMetrics.expiry(smtpAuth.name(), tokens);
        // In a cluster no session stays open between attempts: an idle one would count at Microsoft
        // without holding a shared lease.
        yield new SmtpAuthTransport(smtpAuth, ReplyClassifier.standard(), protocolLog, clock, tokens,
            shared instanceof NodeLocalLimits);
      }
      case OutboundConnector.Graph graph -> {
        TokenSources tokens = new TokenSources(tokenClient(graph, clock), clock,
            RefreshPolicy.DEFAULT, tokenMetrics.listener(graph.name()));
        tokenMetrics.expiry(graph.name(), tokens);
        yield new GraphTransport(graph, ReplyClassifier.standard(), tokens);
      }
    };
  }

  /** The token client of an smtp-auth connector (also {@code relay test-connector}'s). */
  static TokenClient tokenClient(OutboundConnector.SmtpAuth connector, InstantSource clock) throws IOException {
    // The binder allows ca-file on the connector's own credential only: one trust per connector.
    Path caFile = connector.credential() instanceof SubmissionCredential.OAuth oauth ? oauth.caFile() : null;
    return tokenClient(caFile, clock);
  }

  /** The token client of a graph connector (also {@code relay test-connector}'s): through its proxy, if any. */
  static TokenClient tokenClient(OutboundConnector.Graph connector, InstantSource clock) throws IOException {
    return new TokenClient(TokenClient.httpClient(TokenClient.trust(connector.credential().caFile()),
        Duration.ofSeconds(30), connector.httpsProxy()), clock, Duration.ofSeconds(60));
  }

  private static TokenClient tokenClient(Path caFile, InstantSource clock) throws IOException {
    return new TokenClient(TokenClient.httpClient(TokenClient.trust(caFile), Duration.ofSeconds(30)), clock,
        Duration.ofSeconds(60));
  }

  /**
   * How much each kind of connector does at once: its connections (for Microsoft 365, every mapped
   * mailbox's sessions), whether one upstream can pause it, and its lanes per domain or mailbox.
   */
  private static LaneLimits limits(OutboundConnector connector, int window) {
    LaneRule lanes = LaneRule.of(connector);
    return switch (connector) {
      case OutboundConnector.Drop drop -> new LaneLimits(16, window, false, lanes);
      case OutboundConnector.SmartHost smartHost -> new LaneLimits(smartHost.maxConnections(), window, true, lanes);
      case OutboundConnector.Mx mx -> new LaneLimits(mx.maxConnections(), window, false, lanes);
      case OutboundConnector.SmtpAuth smtpAuth -> new LaneLimits(smtpAuth.pacing().maxSessions()
          * (int) Math.max(1, smtpAuth.identities().entries().stream().map(i -> i.mailbox().toLowerCase(Locale.ROOT))
              .distinct().count()), window, true, lanes);
      case OutboundConnector.Graph graph -> new LaneLimits(graph.pacing().maxSessions()
          * (int) Math.max(1, graph.identities().entries().stream().map(i -> i.mailbox().toLowerCase(Locale.ROOT))
              .distinct().count()), window, true, lanes);
    };
  }

  @Override
  public void close() {
    List<Lane> all;
    synchronized (this) {
      all = List.copyOf(lanes.values());
      lanes.clear();
    }
    for (Lane lane : all) {
      try {
        lane.close();
      } catch (RuntimeException e) {
        LOG.warn("closing outbound connector '{}' failed: {}", lane.connector().name(), e.toString());
      }
    }
  }
}
