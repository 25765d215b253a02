package relay.server.dnscheck;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Type;

/**
 * The SPF checks (RFC 7208): exactly one record, its syntax, the limits on DNS lookups counted
 * through includes and redirects (loops included), Microsoft 365's include, the {@code all}
 * qualifier and, when a relay address is given, whether the record authorises it. Stateless.
 */
final class SpfCheck {

  static final String AREA = "SPF";
  static final String M365_INCLUDE = "spf.protection.outlook.com";

  private SpfCheck() {}

  /**
   * @param relayIp the relay's public address, or null
   * @param microsoft365 whether the domain's mail is in Microsoft 365, so its include is needed
   */
  static List<Finding> check(DnsLookup dns, String domain, InetAddress relayIp, boolean microsoft365) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    DnsAnswer answer = dns.ask(domain, Type.TXT);
    if (answer instanceof DnsAnswer.Failed f) {
      findings.add(Finding.dnsError(AREA, "SPF record", domain + " TXT", f));
      return findings;
    }
    List<String> spf = dns.texts(answer).stream().filter(SpfRecord::isSpf).toList();
    String suggestion = "v=spf1" + (relayIp == null ? "" : " " + (relayIp.getAddress().length == 4 ? "ip4:" : "ip6:") + relayIp.getHostAddress())
        + (microsoft365 ? " include:" + M365_INCLUDE : "") + " -all";
    if (spf.isEmpty()) {
      findings.add(new Finding(AREA, "SPF record", Outcome.FAIL, domain + ": no TXT record starting with v=spf1",
          "publish one TXT record listing every sender of the domain, e.g. \"" + suggestion + "\""));
      return findings;
    }
    if (spf.size() > 1) {
      findings.add(new Finding(AREA, "SPF record", Outcome.FAIL, spf.size() + " SPF records: " + String.join(" | ", spf),
          "two or more records make SPF fail with permerror for everyone (RFC 7208 3.2): merge them into one"));
      return findings;
    }
    String text = spf.getFirst();
    findings.add(Finding.pass(AREA, "SPF record", text));
    SpfRecord record;
    try {
      record = SpfRecord.parse(text);
    } catch (SpfSyntaxException e) {
      findings.add(new Finding(AREA, "syntax", Outcome.FAIL, e.getMessage(),
          "a syntax error is a permerror for every message (RFC 7208 4.6); correct the term"));
      return findings;
    }
    findings.add(Finding.pass(AREA, "syntax", record.mechanisms().size() + " mechanisms"
        + record.redirect().map(r -> ", redirect=" + r).orElse("")
        + (record.unknownModifiers().isEmpty() ? "" : ", ignored modifiers " + record.unknownModifiers())));

    SpfEvaluation.Verdict walk = SpfEvaluation.evaluate(dns, domain, null);
    findings.add(limits(walk));
    walk.notes().forEach(n -> findings.add(new Finding(AREA, "not evaluated", Outcome.INFO, n, "")));
    if (walk.result() == SpfResult.TEMPERROR) {
      return findings; // the limits finding said which lookup failed; nothing below can be judged
    }
    if (microsoft365) {
      boolean included = walk.domains().contains(M365_INCLUDE);
      findings.add(included
          ? Finding.pass(AREA, "Microsoft 365", "include:" + M365_INCLUDE + " reached")
          : new Finding(AREA, "Microsoft 365", Outcome.FAIL, "no include:" + M365_INCLUDE,
              "mail sent by Microsoft 365 fails SPF without it: add include:" + M365_INCLUDE + " before the all"));
    }
    findings.add(all(record));
    if (relayIp != null) {
      findings.add(relay(dns, domain, relayIp, suggestion));
    }
    return findings;
  }

  private static Finding limits(SpfEvaluation.Verdict walk) {
    String seen = walk.lookups() + " DNS-querying terms (limit " + SpfEvaluation.LOOKUP_LIMIT + "), "
        + walk.voidLookups() + " void lookups (limit " + SpfEvaluation.VOID_LIMIT + "), records read: " + String.join(", ", walk.domains());
    return switch (walk.result()) {
      case TEMPERROR -> new Finding(AREA, "lookups", Outcome.DNS_ERROR, walk.reason(),
          "retry, or ask another resolver (--resolver); an included domain's DNS is failing");
      case PERMERROR -> new Finding(AREA, "lookups", Outcome.FAIL, walk.reason() + "; " + seen,
          walk.lookups() > SpfEvaluation.LOOKUP_LIMIT
              ? "receivers stop at 10 and fail SPF (permerror, RFC 7208 4.6.4): replace a, mx and includes you do not need by ip4/ip6 ranges, or drop senders"
              : "every receiver gets permerror from this record (RFC 7208 4.6.4, 5.2, 6.1): fix the include, redirect or record named");
      default -> walk.lookups() >= SpfEvaluation.LOOKUP_LIMIT - 1
          ? new Finding(AREA, "lookups", Outcome.WARN, seen, "close to the limit of 10: the next include may break SPF")
          : Finding.pass(AREA, "lookups", seen);
    };
  }

  private static Finding all(SpfRecord record) {
    Optional<SpfTerm.Mechanism> all = record.mechanisms().stream().filter(m -> m.kind() == SpfTerm.Kind.ALL).findFirst();
    if (all.isEmpty()) {
      return record.redirect().isPresent()
          ? new Finding(AREA, "all", Outcome.INFO, "no all: redirect=" + record.redirect().get() + " decides", "")
          : new Finding(AREA, "all", Outcome.WARN, "no all mechanism: unlisted senders get neutral",
              "end the record with -all (or ~all while you are still finding senders)");
    }
    SpfTerm.Mechanism m = all.get();
    return switch (m.qualifier()) {
      case FAIL -> Finding.pass(AREA, "all", "-all: unlisted senders fail");
      case SOFTFAIL -> new Finding(AREA, "all", Outcome.INFO, "~all: unlisted senders softfail (usually delivered, marked)",
          "move to -all once every sender is listed; with DMARC at quarantine/reject the difference matters little");
      case NEUTRAL -> new Finding(AREA, "all", Outcome.WARN, "?all: unlisted senders get neutral, SPF protects nothing",
          "use ~all or -all");
      case PASS -> new Finding(AREA, "all", Outcome.WARN, m.text() + ": every host on the Internet is authorised",
          "never use +all: replace it with -all (or ~all)");
    };
  }

  private static Finding relay(DnsLookup dns, String domain, InetAddress ip, String suggestion) throws InterruptedException {
    SpfEvaluation.Verdict verdict = SpfEvaluation.evaluate(dns, domain, ip);
    String check = "relay " + ip.getHostAddress();
    String seen = verdict.result().name().toLowerCase(java.util.Locale.ROOT) + ": " + verdict.reason();
    String add = "add " + (ip.getAddress().length == 4 ? "ip4:" : "ip6:") + ip.getHostAddress()
        + " to the record (e.g. \"" + suggestion + "\")";
    return switch (verdict.result()) {
      case PASS -> Finding.pass(AREA, check, seen);
      case TEMPERROR -> new Finding(AREA, check, Outcome.DNS_ERROR, seen, "retry, or ask another resolver (--resolver)");
      case FAIL, SOFTFAIL, NEUTRAL, NONE -> new Finding(AREA, check, Outcome.FAIL, seen,
          "mail the relay sends straight to the Internet (mx connector) fails SPF: " + add
              + "; mail relayed through Microsoft 365 is checked against Microsoft's addresses instead");
      case PERMERROR -> new Finding(AREA, check, Outcome.FAIL, seen, "fix the record's error first, then " + add);
    };
  }
}
