package relay.server.dnscheck;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * SPF's check_host() (RFC 7208 sections 4 and 5) for one address, correct enough to tell whether a
 * relay's address is authorised: ip4, ip6, a, mx, include, exists, all and redirect are evaluated;
 * ptr is counted but never matches (it is deprecated, RFC 7208 5.5) and domain-specs with macros
 * are counted but not expanded (there is no sender to expand them with).
 *
 * <p>Without an address it walks the whole tree instead, as for a sender that matches nothing, which
 * is the worst case for the limits: then it does not stop at 10 DNS-querying terms or 2 void lookups
 * but counts on, so the report can say by how much a record is over. With an address it stops
 * where check_host() would, with permerror.
 *
 * <p>One evaluation per instance; not thread-safe.
 */
final class SpfEvaluation {

  /** RFC 7208 4.6.4: include, a, mx, ptr, exists and redirect together at most 10. */
  static final int LOOKUP_LIMIT = 10;
  /** RFC 7208 4.6.4: at most 2 lookups answering NXDOMAIN or no records. */
  static final int VOID_LIMIT = 2;
  /** RFC 7208 4.6.4: an mx mechanism looks at most at 10 MX hosts. */
  static final int MX_LIMIT = 10;
  // a guard for the whole-tree walk, which does not stop at the limit
  private static final int WALK_GUARD = 100;

  /**
   * @param domains every domain whose SPF record was read, in order (the first is the one asked about)
   * @param notes things the evaluation did not do (ptr, macros), for the report
   */
  record Verdict(SpfResult result, String reason, int lookups, int voidLookups, List<String> domains, List<String> notes) {
    Verdict {
      domains = List.copyOf(domains);
      notes = List.copyOf(notes);
    }
  }

  private record Step(SpfResult result, String reason) {
    boolean ends() {
      return result == SpfResult.TEMPERROR || result == SpfResult.PERMERROR;
    }
  }

  private final DnsLookup dns;
  private final InetAddress ip;
  private int lookups;
  private int voids;
  private final Set<String> domains = new LinkedHashSet<>();
  private final Set<String> notes = new LinkedHashSet<>();

  private SpfEvaluation(DnsLookup dns, InetAddress ip) {
    this.dns = dns;
    this.ip = ip;
  }

  /** check_host() for {@code ip}, or the whole-tree walk when {@code ip} is null. */
  static Verdict evaluate(DnsLookup dns, String domain, InetAddress ip) throws InterruptedException {
    SpfEvaluation e = new SpfEvaluation(dns, ip);
    Step step = e.checkHost(domain.toLowerCase(Locale.ROOT), List.of());
    if (!step.ends() && e.lookups > LOOKUP_LIMIT) {
      step = new Step(SpfResult.PERMERROR, e.lookups + " DNS-querying terms, more than " + LOOKUP_LIMIT);
    } else if (!step.ends() && e.voids > VOID_LIMIT) {
      step = new Step(SpfResult.PERMERROR, e.voids + " void lookups, more than " + VOID_LIMIT);
    }
    return new Verdict(step.result(), step.reason(), e.lookups, e.voids, List.copyOf(e.domains), List.copyOf(e.notes));
  }

  private Step checkHost(String domain, List<String> chain) throws InterruptedException {
    DnsAnswer answer = dns.ask(domain, Type.TXT);
    if (answer instanceof DnsAnswer.Failed f) {
      return new Step(SpfResult.TEMPERROR, domain + " TXT: " + f.describe());
    }
    List<String> spf = dns.texts(answer).stream().filter(SpfRecord::isSpf).toList();
    if (spf.isEmpty()) {
      return new Step(SpfResult.NONE, domain + " has no SPF record");
    }
    if (spf.size() > 1) {
      return new Step(SpfResult.PERMERROR, domain + " has " + spf.size() + " SPF records");
    }
    domains.add(domain);
    SpfRecord record;
    try {
      record = SpfRecord.parse(spf.getFirst());
    } catch (SpfSyntaxException e) {
      return new Step(SpfResult.PERMERROR, domain + ": " + e.getMessage());
    }
    List<String> here = new ArrayList<>(chain);
    here.add(domain);
    boolean hasAll = false;
    for (SpfTerm.Mechanism m : record.mechanisms()) {
      hasAll |= m.kind() == SpfTerm.Kind.ALL;
      Step over = count(m.kind().asksDns());
      if (over != null) {
        return over;
      }
      Step matched = match(m, domain, here);
      if (matched != null) {
        return matched;
      }
    }
    if (record.redirect().isPresent() && !hasAll) {
      String target = record.redirect().get().toLowerCase(Locale.ROOT);
      Step over = count(true);
      if (over != null) {
        return over;
      }
      if (target.contains("%")) {
        notes.add("redirect=" + target + " uses macros, which Relay does not expand");
        return new Step(SpfResult.NEUTRAL, "redirect with macros not evaluated");
      }
      if (here.contains(target)) {
        return loop(here, target);
      }
      Step next = checkHost(target, here);
      return next.result() == SpfResult.NONE
          ? new Step(SpfResult.PERMERROR, "redirect=" + target + ": " + next.reason())
          : next;
    }
    return new Step(SpfResult.NEUTRAL, "no mechanism matched in " + domain);
  }

  /** The step that ends evaluation when a counted lookup goes over the limit (only when evaluating an address). */
  private Step count(boolean asksDns) {
    if (!asksDns) {
      return null;
    }
    lookups++;
    if ((ip != null && lookups > LOOKUP_LIMIT) || lookups > WALK_GUARD) {
      return new Step(SpfResult.PERMERROR, "more than " + LOOKUP_LIMIT + " DNS-querying terms");
    }
    return null;
  }

  /** The result of a matching mechanism, the step that ends evaluation, or null to go on. */
  private Step match(SpfTerm.Mechanism m, String domain, List<String> chain) throws InterruptedException {
    Step matched = new Step(m.qualifier().result(), "matched " + m.text() + " in " + domain);
    String target = m.domain() == null ? domain : m.domain().toLowerCase(Locale.ROOT);
    if (target.contains("%")) {
      notes.add(m.text() + " uses macros, which Relay does not expand: taken as not matching");
      return null;
    }
    return switch (m.kind()) {
      case ALL -> matched;
      case IP4, IP6 -> ip != null && Cidr.contains(m.network(), m.kind() == SpfTerm.Kind.IP4 ? m.cidr4() : m.cidr6(), ip)
          ? matched : null;
      case PTR -> {
        notes.add(m.text() + " in " + domain + ": ptr is deprecated (RFC 7208 5.5) and slow; Relay does not evaluate it");
        yield null;
      }
      case A -> {
        DnsAnswer a = dns.ask(target, family());
        yield a instanceof DnsAnswer.Failed f ? new Step(SpfResult.TEMPERROR, target + ": " + f.describe())
            : voidOr(a, () -> anyContains(a, m) ? matched : null);
      }
      case EXISTS -> {
        DnsAnswer a = dns.ask(target, Type.A);
        yield a instanceof DnsAnswer.Failed f ? new Step(SpfResult.TEMPERROR, target + ": " + f.describe())
            : voidOr(a, () -> matched);
      }
      case MX -> mx(m, target, matched);
      case INCLUDE -> {
        if (chain.contains(target)) {
          yield loop(chain, target);
        }
        Step inner = checkHost(target, chain);
        yield switch (inner.result()) {
          case PASS -> matched;
          case FAIL, SOFTFAIL, NEUTRAL -> null;
          case TEMPERROR, PERMERROR -> inner;
          case NONE -> new Step(SpfResult.PERMERROR, "include:" + target + ": " + inner.reason());
        };
      }
    };
  }

  private Step mx(SpfTerm.Mechanism m, String target, Step matched) throws InterruptedException {
    DnsAnswer answer = dns.ask(target, Type.MX);
    if (answer instanceof DnsAnswer.Failed f) {
      return new Step(SpfResult.TEMPERROR, target + " MX: " + f.describe());
    }
    if (answer.records().isEmpty()) {
      return voidOr(answer, () -> null);
    }
    if (answer.records().size() > MX_LIMIT) {
      return new Step(SpfResult.PERMERROR, m.text() + ": " + target + " has more than " + MX_LIMIT + " MX records");
    }
    for (var r : answer.records()) {
      Name host = ((MXRecord) r).getTarget();
      if (host.equals(Name.root)) {
        continue; // null MX: no host to authorise
      }
      DnsAnswer addresses = dns.ask(DnsLookup.text(host), family());
      if (addresses instanceof DnsAnswer.Failed f) {
        return new Step(SpfResult.TEMPERROR, DnsLookup.text(host) + ": " + f.describe());
      }
      if (anyContains(addresses, m)) {
        return matched;
      }
    }
    return null;
  }

  /** Counts a void lookup (and ends with permerror past the limit when evaluating an address), else goes on. */
  private Step voidOr(DnsAnswer answer, Supplier<Step> then) {
    if (!answer.records().isEmpty()) {
      return then.get();
    }
    voids++;
    return ip != null && voids > VOID_LIMIT
        ? new Step(SpfResult.PERMERROR, "more than " + VOID_LIMIT + " void lookups") : null;
  }

  private boolean anyContains(DnsAnswer answer, SpfTerm.Mechanism m) {
    if (ip == null) {
      return false;
    }
    int bits = ip instanceof Inet4Address ? m.cidr4() : m.cidr6();
    return answer.records().stream().map(DnsLookup::address).anyMatch(a -> a != null && Cidr.contains(a, bits, ip));
  }

  private int family() {
    return ip == null || ip instanceof Inet4Address ? Type.A : Type.AAAA;
  }

  private static Step loop(List<String> chain, String target) {
    return new Step(SpfResult.PERMERROR, "loop: " + String.join(" -> ", chain) + " -> " + target);
  }
}
