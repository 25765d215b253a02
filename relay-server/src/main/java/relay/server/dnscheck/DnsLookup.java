package relay.server.dnscheck;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import relay.core.connector.UpstreamHost;
import relay.server.outbound.DnsResolvers;

/**
 * Asks DNS questions for one diagnosis, over dnsjava, to the given servers or the system's (set up
 * as the {@code mx} connector's {@code DnsMxResolver} does, so the check sees what delivery sees).
 * Answers are remembered for the run: SPF evaluation asks the same names several times, and a
 * report must not contradict itself because a second answer differed.
 *
 * <p>Not thread-safe (one command, one thread); calls block until DNS answers or times out.
 */
final class DnsLookup {

  private final Resolver resolver;
  private final String servers;
  private final Map<String, DnsAnswer> answers = new HashMap<>();

  /**
   * @param servers DNS servers asked in order (host or IP literal, and port); empty for the system's
   * @param timeout the time one query may take
   */
  DnsLookup(List<UpstreamHost> servers, Duration timeout) {
    this.resolver = DnsResolvers.of(servers, timeout);
    this.servers = servers.isEmpty() ? "the system's resolvers"
        : servers.stream().map(Object::toString).collect(Collectors.joining(", "));
  }

  /** The servers asked, for the report's heading. */
  String servers() {
    return servers;
  }

  /** The records of {@code type} at {@code name} (CNAMEs followed by a recursive resolver are left out). */
  DnsAnswer ask(String name, int type) throws InterruptedException {
    String key = name.toLowerCase(Locale.ROOT) + " " + type;
    DnsAnswer known = answers.get(key);
    if (known == null) {
      known = query(name, type);
      answers.put(key, known);
    }
    return known;
  }

  /** The TXT strings at {@code name}, each record's character-strings joined as RFC 7208 3.3 says. */
  List<String> texts(DnsAnswer answer) {
    return answer.records().stream()
        .filter(r -> r instanceof TXTRecord)
        .map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .toList();
  }

  /** The IPv4 then IPv6 addresses of {@code name}: the answers kept apart for the caller's judgement. */
  List<DnsAnswer> addresses(String name) throws InterruptedException {
    return List.of(ask(name, Type.A), ask(name, Type.AAAA));
  }

  /** Lower-case, without the trailing dot. */
  static String text(Name name) {
    return name.toString(true).toLowerCase(Locale.ROOT);
  }

  /** An address record's address, or null for any other record. */
  static InetAddress address(Record r) {
    return switch (r) {
      case org.xbill.DNS.ARecord a -> a.getAddress();
      case org.xbill.DNS.AAAARecord a -> a.getAddress();
      default -> null;
    };
  }

  private DnsAnswer query(String text, int type) throws InterruptedException {
    Name name;
    try {
      name = Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      return new DnsAnswer.Failed("not a valid DNS name: " + text, true);
    }
    Message request = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    Message response;
    try {
      response = resolver.sendAsync(request).toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return new DnsAnswer.Failed("no answer (" + why + ")", false);
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return new DnsAnswer.NoSuchName();
    }
    if (rcode != Rcode.NOERROR) {
      return new DnsAnswer.Failed(Rcode.string(rcode), true);
    }
    List<Record> records = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
    return records.isEmpty() ? new DnsAnswer.NoData() : new DnsAnswer.Found(records);
  }
}
