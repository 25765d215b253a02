package relay.server.inbound;

import io.netty.handler.ssl.SslContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.session.Intake;
import relay.core.session.SessionContext;
import relay.core.session.SmtpSession;
import relay.core.spool.QueuedMessage;
import relay.core.spool.Spool;
import relay.core.routing.RoutingSnapshot;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.ProtocolLog.Direction;
import relay.core.tracking.TrackingLog;
import relay.server.health.CheckResult;

/**
 * An SMTP listener on one address (Netty NIO transport): accepts connections within the connection
 * limits, picks each client's inbound connector, and runs one {@link SmtpChannelHandler} per
 * connection. Each message is handed to {@code onQueued} after its commit, before the client's 250.
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #close()} once. {@link #close()} stops
 * accepting, ends idle sessions with {@code 421 4.3.2}, lets sessions in a transaction finish for a
 * grace period, then closes what is left and waits for spool work to end. Thread-safe.
 */
public final class SmtpListener implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SmtpListener.class);
  private static final Duration GRACE = Duration.ofSeconds(10);
  // A load balancer sends its header at once; waiting longer only keeps a slot from real clients.
  private static final Duration PROXY_HEADER_TIMEOUT = Duration.ofSeconds(10);

  private final ListenerSettings settings;
  private final Spool spool;
  private final Consumer<QueuedMessage> onQueued;
  private final ProtocolLog protocolLog;
  private final RelayMetrics metrics;
  private final InstantSource clock;
  private final Supplier<RoutingSnapshot> routing;
  private final TrackingLog tracking;
  private final ConnectionLimiter limiter;
  private final Supplier<Intake> intake;
  private final ExecutorService spoolExecutor = Executors.newVirtualThreadPerTaskExecutor();
  private final NettyTransport transport = NettyTransport.best();
  // One group accepts and serves the sessions (no hand-off between an acceptor thread and a worker).
  // One pair of read buffers per event-loop thread, shared by its connections (ReadScratch).
  private final FastThreadLocal<ReadScratch> scratches = new FastThreadLocal<>() {
    @Override
    protected ReadScratch initialValue() {
      return new ReadScratch();
    }
  };
  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(transport.eventLoops(), transport.ioHandlers());
  private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final String idPrefix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  private final AtomicLong sequence = new AtomicLong();
  private volatile Channel serverChannel;

  public SmtpListener(
      ListenerSettings settings,
      Spool spool,
      Consumer<QueuedMessage> onQueued,
      ProtocolLog protocolLog,
      RelayMetrics metrics,
      InstantSource clock) {
    this(settings, spool, onQueued, protocolLog, metrics, clock, () -> RoutingSnapshot.single("default"), TrackingLog.NONE);
  }

  /**
   * @param routing the current routing snapshot; read once per connection, so a hot reload only
   *     affects sessions that connect afterwards
   * @param tracking where session events (received, routed, discarded, rejected) are recorded
   */
  public SmtpListener(
      ListenerSettings settings,
      Spool spool,
      Consumer<QueuedMessage> onQueued,
      ProtocolLog protocolLog,
      RelayMetrics metrics,
      InstantSource clock,
      Supplier<RoutingSnapshot> routing,
      TrackingLog tracking) {
    this(settings, spool, onQueued, protocolLog, metrics, clock, routing, tracking, () -> Intake.OPEN);
  }

  /**
   * @param intake whether the node takes new mail, read at each connection and each command: when
   *     drained, new connections get {@code 421 4.3.2} and sessions get it at their next MAIL
   */
  public SmtpListener(
      ListenerSettings settings,
      Spool spool,
      Consumer<QueuedMessage> onQueued,
      ProtocolLog protocolLog,
      RelayMetrics metrics,
      InstantSource clock,
      Supplier<RoutingSnapshot> routing,
      TrackingLog tracking,
      Supplier<Intake> intake) {
    this.intake = Objects.requireNonNull(intake, "intake");
    this.routing = Objects.requireNonNull(routing, "routing");
    this.tracking = Objects.requireNonNull(tracking, "tracking");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.onQueued = Objects.requireNonNull(onQueued, "onQueued");
    this.protocolLog = Objects.requireNonNull(protocolLog, "protocolLog");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limiter = new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerClient());
  }

  /** Binds the listening socket; returns once it is bound. */
  public void start() throws InterruptedException {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loops)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 128)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            initConnection(ch);
          }
        });
    serverChannel = bootstrap.bind(settings.bindAddress()).sync().channel();
    LOG.info("listener {} accepting SMTP on {} ({}, {} event loop{})", settings.name(), serverChannel.localAddress(),
        transport.name(), transport.eventLoops(), transport.eventLoops() == 1 ? "" : "s");
  }

  /** The bound port (useful when the settings asked for port 0). */
  public int port() {
    return localAddress().getPort();
  }

  public InetSocketAddress localAddress() {
    if (serverChannel == null) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  private void initConnection(SocketChannel ch) {
    sessions.add(ch);
    InetSocketAddress peer = ch.remoteAddress();
    String sessionId = idPrefix + Long.toString(sequence.incrementAndGet(), 36);
    if (settings.proxyFrom().stream().noneMatch(n -> n.contains(peer.getAddress()))) {
      startSession(ch, sessionId, new ProxyHeader.Endpoints(peer, ch.localAddress(), ""));
      return;
    }
    // A trusted load balancer: the session starts once its PROXY header says who the client is.
    ch.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder());
    ch.pipeline().addLast("proxy-header", new ProxyHeader(PROXY_HEADER_TIMEOUT,
        endpoints -> startSession(ch, sessionId, endpoints),
        why -> protocolLog.line(sessionId, "-", endpoint(ch.localAddress()), endpoint(peer), Direction.EVENT,
            "connect from load balancer " + endpoint(peer) + " refused: " + why)));
  }

  private void startSession(SocketChannel ch, String sessionId, ProxyHeader.Endpoints endpoints) {
    InetSocketAddress remote = endpoints.client();
    Optional<InboundConnector> connector = InboundConnector.select(settings.connectors(), remote.getAddress());
    // A drained node refuses before taking a connection slot: a refusal never gives one back.
    boolean drained = intake.get() == Intake.DRAINED;
    boolean admitted = !drained && limiter.tryAcquire(remote.getAddress());
    Runnable release = admitted ? () -> limiter.release(remote.getAddress()) : () -> {};
    boolean implicit = settings.implicitTls();
    // Implicit TLS: the handshake comes first, and every reply (a refusal too) goes out encrypted;
    // STARTTLS is then not offered.
    Optional<SslContext> startTls = implicit ? Optional.empty() : settings.tls();
    ConnectionInfo info = new ConnectionInfo(
        settings.name(), sessionId, connector, endpoint(endpoints.local()), endpoint(remote), endpoints.via(),
        startTls, implicit, protocolLog, metrics, release);
    if (implicit) {
      ch.pipeline().addLast("tls", settings.tls().orElseThrow().newHandler(ch.alloc()));
    }
    if (drained) {
      ch.pipeline().addLast("refuse", new ConnectionRefusal(info, remote.getAddress().getHostAddress(), tracking, clock,
          Replies.DRAINED, "node drained"));
      return;
    }
    if (!admitted) {
      ch.pipeline().addLast("refuse", new ConnectionRefusal(info, remote.getAddress().getHostAddress(), tracking, clock,
          Replies.TOO_MANY_CONNECTIONS, "connection limit"));
      return;
    }
    SmtpSession session = new SmtpSession(new SessionContext(
        settings.hostName(), connector, remote.getAddress().getHostAddress(), remote.getPort(),
        startTls.isPresent(), clock, sessionId, routing.get()));
    SpoolLane lane = new SpoolLane(spool, spoolExecutor, sessionId);
    ch.pipeline().addLast("smtp",
        new SmtpChannelHandler(session, info, lane, onQueued, tracking, intake, scratches::get));
  }

  /**
   * Whether every event loop of this listener runs a no-op task within {@code within}. A loop that
   * is stuck (waiting on a lock or a full queue, spinning) serves none of its sessions while the
   * port stays open, so only running something on it tells a live relay from a hung one. Blocks
   * the caller up to {@code within}; call it from the admin endpoint, never from an event loop
   * (which would wait for itself).
   */
  public CheckResult eventLoopsTurn(Duration within) {
    if (serverChannel == null || loops.isShuttingDown()) {
      return CheckResult.failed("not accepting connections");
    }
    long end = System.nanoTime() + within.toNanos();
    List<Future<?>> turns = new ArrayList<>();
    try {
      for (EventExecutor loop : loops) {
        turns.add(loop.submit(() -> {}));
      }
    } catch (RejectedExecutionException e) {
      return CheckResult.failed("not accepting connections");
    }
    int stuck = 0;
    for (Future<?> turn : turns) {
      if (!turn.awaitUninterruptibly(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        stuck++;
      }
    }
    return stuck == 0
        ? CheckResult.ok()
        : CheckResult.failed(stuck + " of " + turns.size() + " event loops did not run a task within "
            + within.toMillis() + " ms");
  }

  private static String endpoint(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Stops accepting and ends every session; waits for spool work in flight. */
  @Override
  public void close() {
    try {
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
      }
      for (Channel ch : sessions) {
        ch.pipeline().fireUserEventTriggered(ShutdownSignal.INSTANCE);
      }
      long deadline = System.nanoTime() + GRACE.toNanos();
      for (Channel ch : sessions) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
          break;
        }
      }
      sessions.close().awaitUninterruptibly();
    } finally {
      loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      spoolExecutor.close();
      LOG.info("listener {} closed", settings.name());
    }
  }
}
