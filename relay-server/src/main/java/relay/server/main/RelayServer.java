package relay.server.main;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.policy.InboundConnector;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.RetryPolicy;
import relay.core.spool.FileSpool;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog;
import relay.server.admin.AdminServer;
import relay.server.admin.MicrometerRelayMetrics;
import relay.server.inbound.ListenerSettings;
import relay.server.inbound.SmtpListener;
import relay.server.outbound.DropTransport;
import relay.server.outbound.SmtpTransport;
import relay.server.tls.PemKeyMaterial;
import relay.server.tls.SelfSignedCertificate;

/**
 * The composition root: builds every component of a running relay from a validated
 * {@link RelayConfig}, in dependency order, and closes them in reverse.
 *
 * <p>Start order: spool (recovering what a previous run left), outbound transport and delivery
 * scheduler (fed the recovered messages), SMTP listeners (feeding new messages to the scheduler),
 * admin HTTP. Close order: listeners first (no new mail), then delivery, then the rest; nothing
 * accepted is lost on close because it is already on disk.
 *
 * <p>Threading: {@link #start} and {@link #close} are called from one thread; the running
 * components have their own threads.
 */
public final class RelayServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<SmtpListener> listeners = new ArrayList<>();
  private final RelayConfig config;
  private FileSpool spool;
  private AdminServer admin;
  private volatile boolean running;

  private RelayServer(RelayConfig config) {
    this.config = config;
  }

  /** Starts a relay; on failure everything started so far is closed again and the cause thrown. */
  public static RelayServer start(RelayConfig config, InstantSource clock) throws IOException, InterruptedException {
    RelayServer server = new RelayServer(config);
    try {
      server.startComponents(clock);
      return server;
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void startComponents(InstantSource clock) throws IOException, InterruptedException {
    Files.createDirectories(config.home());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);
    ProtocolLog protocolLog = new ProtocolLog();
    SecureRandom random = new SecureRandom();

    spool = new FileSpool(config.spool().directory(), config.spool().minFreeSpace(), clock, random);
    List<QueuedMessage> recovered = spool.recover();
    metrics.spoolSize(spool::size);

    OutboundConnector connector = config.defaultConnector();
    Transport transport = transport(connector, protocolLog);
    DeliveryScheduler scheduler =
        new DeliveryScheduler(
            spool,
            transport,
            connector.name(),
            maxInFlight(connector),
            new RetryPolicy(config.delivery().retry()),
            clock,
            random,
            metrics);
    resources.add(scheduler);
    scheduler.submitAll(recovered);
    scheduler.start();
    if (!recovered.isEmpty()) {
      LOG.info("recovered {} queued message(s) from {}", recovered.size(), config.spool().directory());
    }

    for (ListenerConfig listenerConfig : config.listeners()) {
      SmtpListener listener =
          new SmtpListener(settings(listenerConfig, clock), spool, scheduler::submit, protocolLog, metrics, clock);
      resources.add(listener);
      listener.start();
      listeners.add(listener);
    }

    if (config.admin().enabled()) {
      admin =
          new AdminServer(
              new InetSocketAddress(config.admin().address(), config.admin().port()), registry, () -> running);
      resources.add(admin);
    }
    running = true;
  }

  private static Transport transport(OutboundConnector connector, ProtocolLog protocolLog) throws IOException {
    return switch (connector) {
      case OutboundConnector.Drop drop -> {
        Files.createDirectories(drop.directory());
        yield new DropTransport(drop);
      }
      case OutboundConnector.SmartHost smartHost ->
          new SmtpTransport(smartHost, ReplyClassifier.standard(), protocolLog);
    };
  }

  private static int maxInFlight(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop drop -> 16;
      case OutboundConnector.SmartHost smartHost -> smartHost.maxConnections();
    };
  }

  private ListenerSettings settings(ListenerConfig listener, InstantSource clock) throws IOException {
    Optional<SslContext> tls = Optional.empty();
    if (listener.starttls()) {
      PemKeyMaterial material =
          listener.tls().isPresent()
              ? PemKeyMaterial.read(listener.tls().get().certificate(), listener.tls().get().key())
              : new SelfSignedCertificate(config.generatedTlsDirectory(), config.hostname(), clock.instant())
                  .loadOrCreate();
      tls = Optional.of(SslContextBuilder.forServer(material.key(), material.chain()).build());
    }
    return new ListenerSettings(
        listener.name(),
        new InetSocketAddress(listener.address(), listener.port()),
        config.hostname(),
        listener.inboundConnectors(),
        tls,
        listener.maxConnections(),
        listener.maxConnectionsPerClient());
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
    StringBuilder out = new StringBuilder("Relay ready: ");
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig listener = config.listeners().get(i);
      InetSocketAddress bound = listeners.get(i).localAddress();
      out.append(i == 0 ? "" : "; ")
          .append("SMTP on ")
          .append(bound.getAddress().getHostAddress())
          .append(':')
          .append(bound.getPort())
          .append(listener.starttls() ? " (STARTTLS)" : "")
          .append(" from ")
          .append(listener.inboundConnectors().stream().map(RelayServer::describe).collect(Collectors.joining(", ")));
    }
    out.append("; mail goes to ").append(describe(config.defaultConnector()));
    adminAddress().ifPresent(a -> out.append("; metrics on http://")
        .append(a.getAddress().getHostAddress()).append(':').append(a.getPort()).append("/metrics"));
    return out.toString();
  }

  private static String describe(InboundConnector connector) {
    return connector.name() + " " + connector.clientNetworks() + (connector.relayToAnyDomain() ? " (may relay)" : "");
  }

  private static String describe(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop drop -> "drop folder " + drop.directory();
      case OutboundConnector.SmartHost smartHost ->
          "smart host " + smartHost.hosts() + " (TLS " + smartHost.tls().mode().name().toLowerCase(java.util.Locale.ROOT) + ")";
    };
  }

  /** Stops listeners first, then delivery and the rest. Safe to call more than once. */
  @Override
  public void close() {
    running = false;
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
