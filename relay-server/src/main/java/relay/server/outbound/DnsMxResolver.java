package relay.server.outbound;

import java.net.IDN;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.Domain;

/**
 * {@link MxResolver} over dnsjava, asking the configured DNS servers (or the system's): the MX
 * records of the domain, then the A and AAAA records of each target (IPv4 first, since a relay on a
 * LAN more often has IPv4 connectivity), or of the domain itself when it has no MX. Records of
 * equal preference are shuffled so that load spreads as their owner intended.
 *
 * <p>Only the DNS answer decides: NXDOMAIN is permanent, any other error code and any timeout or
 * I/O failure is transient. An MX host whose own lookup failed is skipped while others remain; if
 * none remains, the answer is transient when any lookup failed and permanent otherwise.
 *
 * <p>Thread-safe (dnsjava's resolvers are); calls block until DNS answers or times out.
 */
public final class DnsMxResolver implements MxResolver {

  private final Resolver resolver;
  private final int port;
  private final RandomGenerator random;

  /**
   * @param servers DNS servers (IP literal and port) asked in order; empty for the system's resolvers
   * @param timeout the time one query may take
   * @param port the SMTP port of every host found
   * @param random shuffles MX records of equal preference; used from many threads, so thread-safe
   */
  public DnsMxResolver(List<UpstreamHost> servers, Duration timeout, int port, RandomGenerator random) {
    this.resolver = DnsResolvers.of(servers, timeout);
    this.port = port;
    this.random = random;
  }

  @Override
  public MxAnswer resolve(Domain domain) throws InterruptedException {
    if (domain.isAddressLiteral()) {
      return literal(domain);
    }
    Name name;
    try {
      name = Name.fromString(IDN.toASCII(domain.name()), Name.root);
    } catch (TextParseException | IllegalArgumentException e) {
      return new MxAnswer.NoSuchDomain(domain + ": not a valid DNS name");
    }
    Query mx = query(name, Type.MX);
    return switch (mx.state()) {
      case NO_SUCH_NAME -> new MxAnswer.NoSuchDomain(domain + ": no such domain (NXDOMAIN)");
      case FAILED -> new MxAnswer.LookupFailed(domain + ": MX lookup failed: " + mx.problem());
      case ANSWERED -> mx.records().isEmpty() ? implicitMx(domain, name) : viaMx(domain, mx.records());
    };
  }

  private MxAnswer implicitMx(Domain domain, Name name) throws InterruptedException {
    Addresses own = addresses(name);
    if (!own.found().isEmpty()) {
      return new MxAnswer.Hosts(own.found().stream().map(a -> host(name, a)).toList());
    }
    return own.problem() != null
        ? new MxAnswer.LookupFailed(domain + ": no MX, and address lookup failed: " + own.problem())
        : new MxAnswer.NoSuchDomain(domain + ": no MX and no address records");
  }

  private MxAnswer viaMx(Domain domain, List<Record> records) throws InterruptedException {
    Map<Integer, List<Name>> byPreference = new TreeMap<>();
    boolean nullMx = false;
    for (Record r : records) {
      if (r instanceof MXRecord m) {
        if (m.getTarget().equals(Name.root)) {
          nullMx = true;
        } else {
          byPreference.computeIfAbsent(m.getPriority(), p -> new ArrayList<>()).add(m.getTarget());
        }
      }
    }
    // RFC 7505: a null MX is meant to stand alone; beside real MX records it is ignored.
    if (byPreference.isEmpty()) {
      return nullMx ? new MxAnswer.NullMx() : new MxAnswer.NoSuchDomain(domain + ": no usable MX records");
    }
    List<MxHost> hosts = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (List<Name> equal : byPreference.values()) {
      Collections.shuffle(equal, random);
      for (Name target : equal) {
        Addresses found = addresses(target);
        found.found().forEach(a -> hosts.add(host(target, a)));
        if (found.problem() != null) {
          failures.add(found.problem());
        }
      }
    }
    if (!hosts.isEmpty()) {
      return new MxAnswer.Hosts(hosts);
    }
    return failures.isEmpty()
        ? new MxAnswer.NoSuchDomain(domain + ": its MX hosts have no address records")
        : new MxAnswer.LookupFailed(domain + ": MX host lookups failed: " + String.join("; ", failures));
  }

  /** IPv4 then IPv6 addresses of one name; {@code problem} is set when a lookup failed (not for NXDOMAIN). */
  private Addresses addresses(Name name) throws InterruptedException {
    Set<InetAddress> found = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (int type : new int[] {Type.A, Type.AAAA}) {
      Query q = query(name, type);
      switch (q.state()) {
        case ANSWERED -> q.records().forEach(r -> {
          switch (r) {
            case ARecord a -> found.add(a.getAddress());
            case AAAARecord aaaa -> found.add(aaaa.getAddress());
            default -> { /* CNAMEs on the way: the recursive resolver already followed them */ }
          }
        });
        case NO_SUCH_NAME -> { }
        case FAILED -> problems.add(hostName(name) + " " + Type.string(type) + ": " + q.problem());
      }
    }
    return new Addresses(List.copyOf(found), problems.isEmpty() ? null : String.join(", ", problems));
  }

  private record Addresses(List<InetAddress> found, String problem) {}

  private enum State { ANSWERED, NO_SUCH_NAME, FAILED }

  /** One DNS question's result; {@code records} holds the answer's records of the asked type (and any others it carries). */
  private record Query(State state, List<Record> records, String problem) {}

  private Query query(Name name, int type) throws InterruptedException {
    Message request = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    Message response;
    try {
      response = resolver.sendAsync(request).toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return new Query(State.FAILED, List.of(), "no answer (" + text + ")");
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return new Query(State.NO_SUCH_NAME, List.of(), "NXDOMAIN");
    }
    if (rcode != Rcode.NOERROR) {
      return new Query(State.FAILED, List.of(), Rcode.string(rcode));
    }
    List<Record> records = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
    return new Query(State.ANSWERED, records, null);
  }

  private MxHost host(Name name, InetAddress address) {
    return new MxHost(hostName(name), new UpstreamHost(address.getHostAddress(), port));
  }

  private static String hostName(Name name) {
    return name.toString(true).toLowerCase(java.util.Locale.ROOT);
  }

  /** {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}: delivered to that address, no DNS involved. */
  private MxAnswer literal(Domain domain) {
    String inner = domain.name().substring(1, domain.name().length() - 1);
    String ip = inner.regionMatches(true, 0, "ipv6:", 0, 5) ? inner.substring(5) : inner;
    try {
      InetAddress address = InetAddress.ofLiteral(ip);
      return new MxAnswer.Hosts(List.of(new MxHost(address.getHostAddress(), new UpstreamHost(address.getHostAddress(), port))));
    } catch (IllegalArgumentException e) {
      return new MxAnswer.NoSuchDomain(domain + ": not an address literal Relay can deliver to");
    }
  }
}
