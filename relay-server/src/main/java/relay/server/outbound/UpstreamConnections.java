package relay.server.outbound;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * A small pool of connected SMTP sessions to one smart-host connector: at most
 * {@code maxConnections} exist at once; an idle one is reused (after a successful RSET when it has
 * been idle for a while), a broken one is dropped; a new one is opened by trying the hosts in order
 * (the next host when one refuses the connection, greets with an error or fails the TLS policy).
 *
 * <p>Call order: {@link #borrow}, use it, then {@link #giveBack} exactly once. Threading: safe for
 * concurrent use; a borrowed connection belongs to one thread until given back.
 */
final class UpstreamConnections implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UpstreamConnections.class);

  private final OutboundConnector.SmartHost connector;
  private final UpstreamTls tls;
  private final ProtocolLog protocolLog;
  private final Semaphore permits;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Idle> idle = new ArrayDeque<>();
  private final AtomicLong sessions = new AtomicLong();
  // One mail session for every connection: the properties are the connector's, and building a
  // session reads Angus's provider files again each time.
  private final Session mailSession;
  // Read and write timeouts for every connection of the pool (see StallWatch for why not Angus's).
  private final StallWatch stallWatch;
  // Tells each connection its socket, for the hop its outcomes report.
  private final SocketCapture capture = new SocketCapture();
  // The name outcomes give the upstream: the MX target for an MX destination (whose one host is an
  // address), else null for each host's own configured name.
  private final String hostName;

  /**
   * How long after its last transaction an idle connection is reused without an RSET: a server
   * drops idle sessions after tens of seconds at the soonest, and the RSET round trip cost a few
   * per cent of the relay's CPU per message under load. Should the connection be gone all the same,
   * {@link SmtpTransport} notices that nothing was answered and tries again on a checked one.
   */
  static final Duration RECENT = Duration.ofSeconds(1);

  /** A borrowed connection; {@code unchecked} when it was reused without an RSET. */
  record Lease(UpstreamConnection connection, boolean unchecked) {}

  private record Idle(UpstreamConnection connection, long since) {}

  /**
   * A pool sharing {@code permits} and {@code stallWatch} with another pool to the same connector
   * (one per TLS policy), so that together they never open more than the connector's {@code
   * maxConnections}. The owner of the watch closes it.
   *
   * @param hostName the name to report for the upstream (an MX target), or null for each host's
   *     configured name
   */
  UpstreamConnections(OutboundConnector.SmartHost connector, String hostName, UpstreamTls tls, ProtocolLog protocolLog,
      Semaphore permits, StallWatch stallWatch) {
    this.connector = connector;
    this.hostName = hostName;
    this.tls = tls;
    this.protocolLog = protocolLog;
    this.permits = permits;
    this.stallWatch = stallWatch;
    this.mailSession = mailSession();
  }

  /**
   * A connection for one transaction: an idle one if there is one, else a new one. An idle one that
   * came back less than {@link #RECENT} ago is handed out as it is ({@link Lease#unchecked()}); an
   * older one is checked with RSET first, as is any one when {@code check} is set.
   */
  Lease borrow(boolean check) throws InterruptedException, UpstreamUnreachableException {
    permits.acquire();
    try {
      Idle reused;
      while ((reused = takeIdle()) != null) {
        boolean recent = System.nanoTime() - reused.since() < RECENT.toNanos();
        if (recent && !check) {
          return new Lease(reused.connection(), true);
        }
        if (isUsable(reused.connection())) {
          return new Lease(reused.connection(), false);
        }
        closeQuietly(reused.connection());
      }
      return new Lease(open(), false);
    } catch (UpstreamUnreachableException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** Returns a borrowed connection; one that broke or is in an unknown state is closed instead. */
  void giveBack(UpstreamConnection connection, boolean reusable) {
    try {
      if (reusable) {
        lock.lock();
        try {
          idle.push(new Idle(connection, System.nanoTime()));
        } finally {
          lock.unlock();
        }
      } else {
        closeQuietly(connection);
      }
    } finally {
      permits.release();
    }
  }

  @Override
  public void close() {
    List<UpstreamConnection> all;
    lock.lock();
    try {
      all = idle.stream().map(Idle::connection).toList();
      idle.clear();
    } finally {
      lock.unlock();
    }
    all.forEach(UpstreamConnections::closeQuietly);
  }

  private Idle takeIdle() {
    lock.lock();
    try {
      return idle.poll();
    } finally {
      lock.unlock();
    }
  }

  private static boolean isUsable(UpstreamConnection connection) {
    try {
      return connection.transport().simpleCommand("RSET") == 250;
    } catch (MessagingException | IllegalStateException e) {
      return false;
    }
  }

  private UpstreamConnection open() throws UpstreamUnreachableException {
    List<String> reasons = new ArrayList<>();
    LocalCause last = LocalCause.CONNECTION_FAILED;
    for (UpstreamHost host : connector.hosts()) {
      String id = connector.name() + "-" + sessions.incrementAndGet();
      TracedSmtpTransport transport =
          new TracedSmtpTransport(mailSession, capture, protocolLog, id, connector.name(), host.toString());
      try {
        transport.connect(host.host(), host.port(), null, null);
        String name = hostName != null ? hostName : host.host();
        return new UpstreamConnection(transport, host, tls.hop(name, host, transport.socket()));
      } catch (MessagingException e) {
        AttemptReport.Local refusal = tls.refusal(host, e);
        log.info("connector '{}': cannot use {}", connector.name(), refusal.reason());
        protocolLog.line(id, connector.name(), "-", host.toString(), Direction.EVENT, "not used: " + refusal.reason());
        reasons.add(refusal.reason());
        last = refusal.cause();
      }
    }
    throw new UpstreamUnreachableException(last, String.join("; ", reasons));
  }

  private Session mailSession() {
    Properties props = new Properties();
    props.put("mail.smtp.localhost", connector.heloName());
    props.put("mail.smtp.connectiontimeout", Long.toString(connector.connectTimeout().toMillis()));
    stallWatch.apply(props);
    tls.apply(props);
    capture.apply(props);
    // Angus's debug output stays off: TracedSmtpTransport records the protocol far more cheaply.
    return Session.getInstance(props);
  }

  /** The distinct messages of an exception and its causes, outermost first. */
  static String describe(Throwable e) {
    Set<String> parts = new LinkedHashSet<>();
    for (Throwable t = e; t != null && parts.size() < 5; t = t.getCause()) {
      String message = t.getMessage();
      // MessagingException reports its "next exception" as the cause, so one walk sees both.
      parts.add(message == null || message.isBlank() ? t.getClass().getSimpleName() : message.strip().replaceAll("\\.$", ""));
    }
    return String.join(": ", parts).replaceAll("[\\r\\n]+", " ");
  }

  private static void closeQuietly(UpstreamConnection connection) {
    try {
      connection.transport().close();
    } catch (MessagingException | RuntimeException e) {
      log.debug("closing upstream connection to {} failed", connection.host(), e);
    }
  }
}
