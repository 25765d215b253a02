package relay.server.dnscheck;

import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Type;

/**
 * {@code autodiscover.DOMAIN} as a CNAME to {@code autodiscover.outlook.com}, which Microsoft 365
 * asks for so that Outlook finds the mailboxes. It does not affect mail flow, hence a warning at
 * most, and only information when the domain is not in Microsoft 365. Stateless.
 */
final class AutodiscoverCheck {

  static final String AREA = "Autodiscover";
  static final String TARGET = "autodiscover.outlook.com";

  private AutodiscoverCheck() {}

  static List<Finding> check(DnsLookup dns, String domain, boolean microsoft365) throws InterruptedException {
    String name = "autodiscover." + domain;
    DnsAnswer answer = dns.ask(name, Type.CNAME);
    if (answer instanceof DnsAnswer.Failed f) {
      return List.of(Finding.dnsError(AREA, name, name + " CNAME", f));
    }
    if (answer.records().isEmpty()) {
      return List.of(new Finding(AREA, name, microsoft365 ? Outcome.WARN : Outcome.INFO, name + ": no CNAME (" + answer.describe() + ")",
          "for Microsoft 365 publish CNAME " + name + " -> " + TARGET + " so Outlook finds the mailboxes (no effect on mail flow)"));
    }
    String target = DnsLookup.text(((CNAMERecord) answer.records().getFirst()).getTarget());
    return List.of(target.equals(TARGET)
        ? Finding.pass(AREA, name, "CNAME " + target)
        : new Finding(AREA, name, microsoft365 ? Outcome.WARN : Outcome.INFO, "CNAME " + target,
            "Microsoft 365 expects CNAME " + name + " -> " + TARGET));
  }
}
