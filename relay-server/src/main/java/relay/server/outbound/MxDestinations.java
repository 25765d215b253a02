package relay.server.outbound;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.connector.ExpectedName;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.delivery.ReplyClassifier;
import relay.core.tracking.ProtocolLog;

/**
 * The smart-host machinery of an MX connector, one {@link SmtpTransport} (with its connection pool
 * of at most {@code maxConnectionsPerDestination}) per MX host address. At most {@code bound}
 * destinations are kept: past that, the least recently used one that no attempt is using is closed
 * with its idle connections, so that a relay that mails many domains holds no more than that.
 *
 * <p>Under {@code tls = verify} without configured names, each destination expects its MX host's
 * name in the certificate (never the address connected to, which no certificate carries).
 *
 * <p>Call order: {@link #acquire}, use the transport, then {@link #release} exactly once.
 * Threading: safe for concurrent use.
 */
final class MxDestinations implements AutoCloseable {

  private static final class Entry {
    final SmtpTransport transport;
    int inUse;

    Entry(SmtpTransport transport) {
      this.transport = transport;
    }
  }

  private final OutboundConnector.Mx connector;
  private final ReplyClassifier classifier;
  private final ProtocolLog protocolLog;
  private final int bound;
  private final ReentrantLock lock = new ReentrantLock();
  // access order: the first entry is the least recently used
  private final Map<MxHost, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  MxDestinations(OutboundConnector.Mx connector, ReplyClassifier classifier, ProtocolLog protocolLog, int bound) {
    this.connector = connector;
    this.classifier = classifier;
    this.protocolLog = protocolLog;
    this.bound = bound;
  }

  /** The transport to {@code host}, opened on first use; counts as in use until released. */
  SmtpTransport acquire(MxHost host) throws IOException {
    lock.lock();
    try {
      Entry entry = entries.get(host);
      if (entry == null) {
        entry = new Entry(new SmtpTransport(smartHost(host), host.name(), classifier, protocolLog));
        entries.put(host, entry);
      }
      entry.inUse++;
      return entry.transport;
    } finally {
      lock.unlock();
    }
  }

  void release(MxHost host) {
    List<SmtpTransport> evicted = new ArrayList<>();
    lock.lock();
    try {
      Entry entry = entries.get(host);
      if (entry != null) {
        entry.inUse--;
      }
      Iterator<Entry> oldestFirst = entries.values().iterator();
      while (entries.size() > bound && oldestFirst.hasNext()) {
        Entry e = oldestFirst.next();
        if (e.inUse == 0) {
          oldestFirst.remove();
          evicted.add(e.transport);
        }
      }
    } finally {
      lock.unlock();
    }
    // closing says QUIT to each idle connection: not under the lock
    evicted.forEach(SmtpTransport::close);
  }

  /** How many destinations are kept open now. */
  int size() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<SmtpTransport> all;
    lock.lock();
    try {
      all = entries.values().stream().map(e -> e.transport).toList();
      entries.clear();
    } finally {
      lock.unlock();
    }
    all.forEach(SmtpTransport::close);
  }

  private OutboundConnector.SmartHost smartHost(MxHost host) {
    return new OutboundConnector.SmartHost(connector.name(), List.of(host.endpoint()), tlsFor(connector.tls(), host),
        connector.heloName(), connector.connectTimeout(), connector.readTimeout(),
        connector.maxConnectionsPerDestination());
  }

  /**
   * The policy for one MX destination: under {@code verify} without configured names, the MX host's
   * own name is expected (also what {@code relay test-connector} checks).
   */
  static TlsPolicy tlsFor(TlsPolicy tls, MxHost host) {
    if (tls.mode() != TlsMode.VERIFY || !tls.names().isEmpty()) {
      return tls;
    }
    ExpectedName name;
    try {
      name = ExpectedName.of(host.name());
    } catch (IllegalArgumentException e) {
      // an address literal destination has no name to expect: the address connected to is checked
      return tls;
    }
    return new TlsPolicy(tls.mode(), List.of(name), tls.minimumVersion(), tls.caBundle(), tls.clientCertificate());
  }
}
