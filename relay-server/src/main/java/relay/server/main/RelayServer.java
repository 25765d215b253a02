package relay.server.main;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.model.ListenerConfig;
import relay.config.model.ListenerTls;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.limits.NodeLocalLimits;
import relay.core.limits.SharedLimits;
import relay.core.metrics.QueueCensus;
import relay.core.metrics.TrackedMetrics;
import relay.core.routing.RoutingSnapshot;
import relay.core.spool.FileSpool;
import relay.core.spool.FreeSpace;
import relay.core.spool.RecoveryProgress;
import relay.core.spool.SpoolLock;
import relay.core.tracking.DeliveryLogLines;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.TrackingLog;
import relay.server.admin.AdminServer;
import relay.server.admin.AdminAccess;
import relay.server.admin.AuditLog;
import relay.server.admin.ClusterDirectory;
import relay.server.admin.ConnectorLedger;
import relay.server.admin.LocalToken;
import relay.server.admin.MicrometerRelayMetrics;
import relay.server.admin.QueueGauges;
import relay.server.cluster.ClusterNode;
import relay.server.health.Check;
import relay.server.health.CheckResult;
import relay.server.health.HealthChecks;
import relay.server.inbound.IntakeState;
import relay.server.inbound.IntakeSwitch;
import relay.server.inbound.ListenerSettings;
import relay.server.inbound.SmtpListener;
import relay.server.tls.AdminTlsContexts;
import relay.server.tls.ListenerTlsContext;
import relay.server.tls.PemKeyMaterial;
import relay.server.tls.SelfSignedCertificate;
import relay.server.tracking.JsonTrackingLog;
import relay.server.tracking.LineFile;
import relay.server.tracking.LogRetention;
import relay.server.trace.TrackingSearch;

/**
 * The composition root: builds every component of a running relay from a validated
 * {@link RelayConfig}, in dependency order, and closes them in reverse.
 *
 * <p>Start order: spool (opened: unfinished writes removed, quick whatever the queue holds),
 * outbound transports and delivery schedulers, SMTP listeners (feeding new messages to the
 * schedulers), admin HTTP; then spool recovery runs in the background, handing each verified message
 * to its scheduler as it is found, so SMTP answers within seconds of start even with a million
 * messages queued. Close order: listeners first (no new mail), then delivery, then the rest; nothing
 * accepted is lost on close because it is already on disk.
 *
 * <p>Threading: {@link #start} and {@link #close} are called from one thread; the running
 * components have their own threads.
 */
public final class RelayServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
  /** Days of rolled protocol and tracking logs kept (as logback keeps relay.log's). */
  /** Log lines that may wait for the disk before lines are dropped (about 2,500 messages' worth). */
  static final int LOG_QUEUE = 65_536;
  /** How long /healthz gives each listener's event loops to run a no-op task. */
  private static final Duration LOOP_TURN = Duration.ofSeconds(2);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private ClusterDirectory directory;
  private final List<SmtpListener> listeners = new ArrayList<>();
  private final RelayConfig config;
  private final int logQueue;
  // What /healthz (alive) and /readyz (ready) check, added as the components they check are made.
  private final List<Check> alive = new ArrayList<>();
  private final List<Check> ready = new ArrayList<>();
  private final AtomicReference<RoutingSnapshot> routing = new AtomicReference<>();
  private final AtomicReference<RelayConfig> current = new AtomicReference<>();
  private MicrometerRelayMetrics metrics;
  private QueueGauges queueGauges;
  private QueueCensus census;
  private OutboundLanes lanes;
  private TrackingLog tracking;
  private FileSpool spool;
  private AdminServer admin;
  private Thread recovery;
  private volatile boolean running;
  private volatile String recoveryFailure;

  private RelayServer(RelayConfig config, int logQueue) {
    this.config = config;
    this.logQueue = logQueue;
    this.current.set(config);
    this.routing.set(snapshot(config));
  }

  private static RoutingSnapshot snapshot(RelayConfig config) {
    // Graph connectors carry at most one 4 MB request: their routes refuse larger mail at SMTP time.
    Map<String, Long> limits = new HashMap<>();
    for (OutboundConnector c : config.outboundConnectors()) {
      if (c instanceof OutboundConnector.Graph graph) {
        limits.put(graph.name(), OutboundConnector.Graph.maxAcceptedBytes());
      }
    }
    return new RoutingSnapshot(config.routing().ruleEngine(), config.routing().remoteDomains(), limits);
  }

  /**
   * Switches to a new, already validated configuration: sessions that connect from now on use its
   * routing (sessions in progress keep theirs); outbound connectors are added, rebuilt or removed
   * (their deliveries under way finish first). Listener changes (address, port, TLS, inbound
   * connectors) need a restart: they are logged and the running listeners stay as they are.
   * Counted in {@code relay_config_reloads_total{result}}.
   *
   * <p>Called from one thread at a time (the reloader).
   */
  public synchronized void reload(RelayConfig next) {
    try {
      RoutingSnapshot snapshot = snapshot(next);
      RelayConfig before = current.get();
      if (!next.listeners().equals(before.listeners()) || !next.hostname().equals(before.hostname())) {
        LOG.warn("configuration reload: listener settings changed; they take effect only after a restart, "
            + "the running listeners are kept");
      }
      if (!next.spool().equals(before.spool()) || !next.admin().equals(before.admin())
          || !next.logging().equals(before.logging()) || !next.cluster().equals(before.cluster())) {
        LOG.warn("configuration reload: spool, admin, logging or cluster settings changed; they take effect only after a restart");
      }
      lanes.apply(next);
      queueGauges.update();
      routing.set(snapshot);
      current.set(next);
      metrics.configReload(true);
      LOG.info("configuration reloaded: {} outbound connector(s) {}, {} rule(s)",
          next.outboundConnectors().size(), lanes.connectors(), next.routing().rules().size());
    } catch (IOException | RuntimeException e) {
      metrics.configReload(false);
      LOG.error("configuration reload failed, the previous configuration stays in use: {}", e.toString());
    }
  }

  /** Counts a reload whose file did not load or validate; the running configuration stays. */
  public void reloadFailed() {
    metrics.configReload(false);
  }

  /** The configuration in use now (the last one loaded successfully). */
  public RelayConfig currentConfig() {
    return current.get();
  }

  /** Starts a relay; on failure everything started so far is closed again and the cause thrown. */
  public static RelayServer start(RelayConfig config, InstantSource clock) throws IOException, InterruptedException {
    return start(config, clock, LOG_QUEUE);
  }

  /** As above, with room for {@code logQueue} lines in each log's queue (tests make it small). */
  static RelayServer start(RelayConfig config, InstantSource clock, int logQueue) throws IOException, InterruptedException {
    return start(config, clock, logQueue, null);
  }

  /**
   * As above, with the cluster's nodes named by {@code directory} (null: the configuration's
   * cluster, or this node alone).
   */
  static RelayServer start(RelayConfig config, InstantSource clock, int logQueue, ClusterDirectory directory)
      throws IOException, InterruptedException {
    RelayServer server = new RelayServer(config, logQueue);
    server.directory = directory;
    try {
      server.startComponents(clock);
      return server;
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void startComponents(InstantSource clock) throws IOException, InterruptedException {
    // First, before any TLS is used: the JDK reads its TLS restrictions once.
    ListenerTlsContext.allowLegacy(config.listeners().stream()
        .filter(l -> l.encryption().enabled() && l.encryption().minVersion().isLegacy()).map(ListenerConfig::name).toList());
    Files.createDirectories(config.home());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = new MicrometerRelayMetrics(registry);
    resources.add(metrics.bindJvm());
    Check relay = new Check("relay", () -> running ? CheckResult.ok() : CheckResult.failed("starting or stopping"));
    alive.add(relay);
    ready.add(relay);
    // The two per-message logs bypass logback: its per-event cost was about a tenth of the CPU
    // per message (the logs are written by LineFile's own thread instead).
    LineFile protocolFile = new LineFile(config.logging().directory(), "protocol", true,
        new LogRetention(config.logging().keepDays(), config.logging().maxFileSize(), config.logging().protocolLogTotal()),
        logQueue, clock);
    resources.add(protocolFile);
    metrics.logLinesDropped("protocol", protocolFile::dropped);
    ready.add(new Check("protocol-log", protocolFile::health));
    ProtocolLog protocolLog = new ProtocolLog(protocolFile);
    LineFile trackingFile = new LineFile(config.logging().directory(), "tracking", false,
        new LogRetention(config.logging().keepDays(), config.logging().maxFileSize(), config.logging().trackingLogTotal()),
        logQueue, clock);
    resources.add(trackingFile);
    metrics.logLinesDropped("tracking", trackingFile::dropped);
    ready.add(new Check("tracking-log", trackingFile::health));
    SecureRandom random = new SecureRandom();

    // Held for the whole run: 'relay queue export/import' must never move files under a running relay.
    resources.add(SpoolLock.acquire(config.spool().directory()));
    spool = new FileSpool(config.spool().directory(), config.spool().minFreeSpace(), clock, random);
    resources.add(spool); // closed after everything that writes to it, before its lock is released
    spool.open();
    ready.add(new Check("spool", new SpoolRoom(config.spool().directory(), config.spool().minFreeSpace(),
        FreeSpace.ofFileStore(config.spool().directory()))));
    // Ready while recovery progresses in the background (new mail is accepted meanwhile); not ready
    // once it has failed: messages it did not reach wait for the next start.
    ready.add(new Check("spool-recovery",
        () -> recoveryFailure == null ? CheckResult.ok() : CheckResult.failed("spool recovery failed: " + recoveryFailure)));
    metrics.spoolSize(spool::size);
    metrics.spoolSpace(FreeSpace.ofFileStore(config.spool().directory()), config.spool().minFreeSpace());

    // The observation port: every event goes to tracking.log, the metrics and relay.log from here.
    ConnectorLedger ledger = new ConnectorLedger();
    tracking = TrackingLog.all(List.of(new JsonTrackingLog(trackingFile), new TrackedMetrics(metrics), new DeliveryLogLines(),
        ledger));
    // A cluster node exists only with a cluster section: without one no Redis client is made and the
    // lanes' own bookkeeping is the whole of the limits, as on any single node.
    Optional<ClusterNode> cluster = config.cluster().map(c -> ClusterNode.start(c, registry, clock));
    cluster.ifPresent(node -> {
      resources.add(node); // closed after the lanes: their attempts release their leases first
      ready.add(node.readiness());
    });
    lanes = new OutboundLanes(spool, clock, random, protocolLog, tracking, metrics, routing::get, config.hostname(),
        cluster.<SharedLimits>map(ClusterNode::limits).orElseGet(NodeLocalLimits::new));
    resources.add(lanes);
    cluster.ifPresent(node -> node.follow(new SuspensionFollower(lanes::running)));
    metrics.heldMessages(lanes::heldMessages);
    lanes.apply(config);
    census = new QueueCensus(spool, () -> lanes.running().stream()
        .collect(Collectors.toMap(l -> l.connector().name(), OutboundLanes.Lane::scheduler)), clock, QueueCensus.MAX_AGE);
    queueGauges = new QueueGauges(registry, census, clock);
    // In the background: the first count of parked mail lists the spool's index once (seconds with a
    // million messages), which must not hold up the listeners; a long job, so a platform thread (ADR 0012).
    Thread.ofPlatform().name("queue-gauges").daemon(true).start(queueGauges::update);

    // Drained survives a restart (an operator patching a node restarts it): read before any listener binds.
    IntakeSwitch intake = IntakeSwitch.open(config.home(), clock);
    ready.add(new Check("intake", () -> switch (intake.current()) {
      case IntakeState.Accepting a -> CheckResult.ok();
      case IntakeState.Drained d -> CheckResult.failed("drained since " + d.since() + " by " + d.by()
          + ": not accepting new mail ('relay drain --undo' to accept)");
    }));
    metrics.drained(() -> intake.current() instanceof IntakeState.Drained);
    for (ListenerConfig listenerConfig : config.listeners()) {
      SmtpListener listener =
          new SmtpListener(settings(listenerConfig, clock), spool, lanes::submit, protocolLog, metrics, clock,
              routing::get, tracking, () -> intake.current().intake());
      resources.add(listener);
      listener.start();
      listeners.add(listener);
      alive.add(new Check("smtp-" + listenerConfig.name(), () -> listener.eventLoopsTurn(LOOP_TURN)));
    }

    if (config.admin().enabled()) {
      // Admin actions are audited in a log of their own, bounded like the tracking log.
      LineFile auditFile = new LineFile(config.logging().directory(), "audit", false,
          new LogRetention(config.logging().keepDays(), config.logging().maxFileSize(), config.logging().trackingLogTotal()),
          logQueue, clock);
      resources.add(auditFile);
      AdminAccess access = new AdminAccess(config.admin().tokens(), LocalToken.create(config.home(), random));
      admin = new AdminServer(
          new InetSocketAddress(config.admin().address(), config.admin().port()), registry,
          new HealthChecks(alive, ready), access,
          AdminServer.api(access, new QueueDesk(spool, lanes, clock, ledger, census, metrics::tokenLeft,
              cluster.map(ClusterNode::suspensions)),
              new IntakeDesk(intake, census, () -> spool.recoveryProgress().finished()), new AuditLog(auditFile, clock, tracking),
              new TrackingSearch(config.logging().directory()), clock),
          config.admin().metricsOpen(),
          config.admin().tls().isPresent() ? AdminTlsContexts.server(config.admin().tls().get()) : null);
      resources.add(admin);
      if (config.admin().tls().isEmpty() && !config.admin().address().isLoopbackAddress()) {
        LOG.warn("the admin endpoint at {} is plain HTTP: its bearer tokens cross the network in clear "
            + "(set relay.admin.tls)", admin.address());
      }
      HttpClient peers = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .sslContext(AdminTlsContexts.client(config.admin().tls()))
          .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      resources.add(peers::close);
      // The cluster's live nodes come from the shared store's membership; without a cluster, a node
      // is a cluster of one.
      admin.serveCluster(access, directory != null ? directory
          : cluster.<ClusterDirectory>map(ClusterNode::members).orElseGet(() -> ClusterDirectory.alone(config.hostname())),
          peers);
    }
    running = true;
    // A platform thread: on a virtual one the long walk held a carrier from intake and delivery (ADR 0012).
    recovery = Thread.ofPlatform().name("spool-recovery").daemon(true).start(this::recover);
  }

  /** Walks the spool in the background, handing each message found to delivery. */
  private void recover() {
    try {
      spool.recover(lanes::recovered);
      RecoveryProgress done = spool.recoveryProgress();
      if (done.found() > 0 || done.quarantined() > 0) {
        LOG.info("recovered {} queued message(s) from {} ({} file(s) quarantined)", done.found(),
            config.spool().directory(), done.quarantined());
      }
    } catch (IOException | RuntimeException e) {
      recoveryFailure = e.toString();
      LOG.error("spool recovery failed; messages not yet found are taken up at the next start", e);
    }
  }

  /** How far the background recovery of the spool has come. */
  public RecoveryProgress recoveryProgress() {
    return spool.recoveryProgress();
  }

  private ListenerSettings settings(ListenerConfig listener, InstantSource clock) throws IOException {
    Optional<SslContext> tls = Optional.empty();
    if (listener.encryption().enabled()) {
      PemKeyMaterial material =
          listener.tls().isPresent()
              ? PemKeyMaterial.read(listener.tls().get().certificate(), listener.tls().get().key())
              : new SelfSignedCertificate(config.generatedTlsDirectory(), config.hostname(), clock.instant())
                  .loadOrCreate();
      tls = Optional.of(ListenerTlsContext.build(material, listener.encryption()));
    }
    return new ListenerSettings(
        listener.name(),
        new InetSocketAddress(listener.address(), listener.port()),
        config.hostname(),
        listener.inboundConnectors(),
        tls,
        listener.maxConnections(),
        listener.maxConnectionsPerClient(),
        listener.encryption().mode() == ListenerTls.Mode.IMPLICIT,
        listener.proxyFrom());
  }

  /** The bound SMTP addresses, one per listener, in configuration order. */
  public List<InetSocketAddress> smtpAddresses() {
    return listeners.stream().map(SmtpListener::localAddress).toList();
  }

  /** The bound admin HTTP address, when enabled. */
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(admin).map(AdminServer::address);
  }

  /** One line for the operator: where mail is accepted, from whom, and where it goes. */
  public String describe() {
    return new ReadyLine(config, smtpAddresses(), adminAddress()).text();
  }

  /** Stops listeners first, then delivery and the rest. Safe to call more than once. */
  @Override
  public void close() {
    running = false;
    if (recovery != null) {
      recovery.interrupt();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}: {}", resources.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    resources.clear();
  }
}
