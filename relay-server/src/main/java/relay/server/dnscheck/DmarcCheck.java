package relay.server.dnscheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Type;

/**
 * The DMARC checks (RFC 7489): exactly one {@code v=DMARC1} record at {@code _dmarc.DOMAIN}; its
 * policy ({@code p}, {@code sp}, {@code pct}), its alignment modes ({@code adkim}, {@code aspf}) and
 * its report addresses ({@code rua}, {@code ruf}), including, for an address in another domain, the
 * authorisation record that domain must publish (RFC 7489 7.1). Stateless.
 *
 * <p>The organisational-domain fallback (a subdomain without a record inherits its parent's) needs
 * the Public Suffix List, which Relay does not carry: a missing record is reported as missing.
 */
final class DmarcCheck {

  static final String AREA = "DMARC";

  private DmarcCheck() {}

  static List<Finding> check(DnsLookup dns, String domain) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    String name = "_dmarc." + domain;
    DnsAnswer answer = dns.ask(name, Type.TXT);
    if (answer instanceof DnsAnswer.Failed f) {
      findings.add(Finding.dnsError(AREA, "DMARC record", name + " TXT", f));
      return findings;
    }
    List<String> records = dns.texts(answer).stream().filter(t -> t.regionMatches(true, 0, "v=DMARC1", 0, 8)).toList();
    if (records.isEmpty()) {
      findings.add(new Finding(AREA, "DMARC record", Outcome.WARN, name + ": no v=DMARC1 record (" + answer.describe() + ")",
          "publish TXT " + name + " \"v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain
              + "\", read the reports, then move to p=quarantine or p=reject; large receivers require DMARC of bulk senders"));
      return findings;
    }
    if (records.size() > 1) {
      findings.add(new Finding(AREA, "DMARC record", Outcome.FAIL, records.size() + " records: " + String.join(" | ", records),
          "with more than one record receivers apply no DMARC at all (RFC 7489 6.6.3): keep one"));
      return findings;
    }
    String text = records.getFirst();
    Map<String, String> tags = TagList.parse(text);
    if (!"DMARC1".equals(tags.get("v"))) {
      findings.add(new Finding(AREA, "DMARC record", Outcome.FAIL, text, "the record must start exactly with v=DMARC1;"));
      return findings;
    }
    findings.add(Finding.pass(AREA, "DMARC record", text));
    findings.add(policy(tags));
    subdomainPolicy(tags, findings);
    percent(tags, findings);
    findings.add(alignment(tags));
    reports(dns, domain, tags, "rua", findings);
    reports(dns, domain, tags, "ruf", findings);
    return findings;
  }

  private static Finding policy(Map<String, String> tags) {
    String p = tags.getOrDefault("p", "").toLowerCase(Locale.ROOT);
    return switch (p) {
      case "reject" -> Finding.pass(AREA, "policy", "p=reject: failing mail is refused");
      case "quarantine" -> Finding.pass(AREA, "policy", "p=quarantine: failing mail goes to junk");
      case "none" -> new Finding(AREA, "policy", Outcome.WARN, "p=none: monitoring only, spoofed mail is still delivered",
          "once the reports show all your senders pass, move to p=quarantine, then p=reject");
      default -> new Finding(AREA, "policy", Outcome.FAIL, p.isEmpty() ? "no p= tag" : "p=" + p + " is not none, quarantine or reject",
          "p= is required and must follow v=DMARC1 (RFC 7489 6.3)");
    };
  }

  private static void subdomainPolicy(Map<String, String> tags, List<Finding> findings) {
    String sp = tags.get("sp");
    if (sp == null) {
      return;
    }
    switch (sp.toLowerCase(Locale.ROOT)) {
      case "reject", "quarantine" -> findings.add(Finding.pass(AREA, "subdomain policy", "sp=" + sp));
      case "none" -> findings.add(new Finding(AREA, "subdomain policy", Outcome.INFO,
          "sp=none: subdomains (real or invented) are not protected", "set sp=quarantine or reject unless a subdomain still needs monitoring"));
      default -> findings.add(new Finding(AREA, "subdomain policy", Outcome.FAIL, "sp=" + sp, "sp must be none, quarantine or reject"));
    }
  }

  private static void percent(Map<String, String> tags, List<Finding> findings) {
    String pct = tags.get("pct");
    if (pct == null) {
      return;
    }
    int value;
    try {
      value = Integer.parseInt(pct);
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 0 || value > 100) {
      findings.add(new Finding(AREA, "pct", Outcome.FAIL, "pct=" + pct, "pct is a whole number from 0 to 100"));
    } else if (value < 100) {
      findings.add(new Finding(AREA, "pct", Outcome.INFO, "pct=" + value + ": the policy applies to " + value + "% of failing mail",
          "raise to 100 (or drop pct) when the roll-out is done"));
    }
  }

  private static Finding alignment(Map<String, String> tags) {
    String adkim = tags.getOrDefault("adkim", "r").toLowerCase(Locale.ROOT);
    String aspf = tags.getOrDefault("aspf", "r").toLowerCase(Locale.ROOT);
    if (!List.of("r", "s").contains(adkim) || !List.of("r", "s").contains(aspf)) {
      return new Finding(AREA, "alignment", Outcome.FAIL, "adkim=" + adkim + ", aspf=" + aspf, "adkim and aspf are r (relaxed) or s (strict)");
    }
    return new Finding(AREA, "alignment", Outcome.INFO, "adkim=" + adkim + ", aspf=" + aspf
        + (adkim.equals("s") || aspf.equals("s") ? " (strict: a subdomain sender such as bounces.contoso.com does not align)" : " (relaxed)"), "");
  }

  private static void reports(DnsLookup dns, String domain, Map<String, String> tags, String tag, List<Finding> findings)
      throws InterruptedException {
    String value = tags.get(tag);
    if (value == null) {
      if (tag.equals("rua")) {
        findings.add(new Finding(AREA, "rua", Outcome.INFO, "no rua: no aggregate reports are sent",
            "add rua=mailto:ADDRESS to learn who sends as this domain before tightening the policy"));
      }
      return;
    }
    for (String uri : value.split(",")) {
      String u = uri.strip();
      int bang = u.indexOf('!'); // an optional size limit, RFC 7489 6.4
      String address = (bang > 0 ? u.substring(0, bang) : u);
      if (!address.regionMatches(true, 0, "mailto:", 0, 7) || address.indexOf('@') < 0) {
        findings.add(new Finding(AREA, tag, Outcome.FAIL, u, "report addresses are mailto: URIs, e.g. mailto:dmarc@" + domain));
        continue;
      }
      String target = address.substring(address.indexOf('@') + 1).toLowerCase(Locale.ROOT);
      if (target.equals(domain) || target.endsWith("." + domain) || domain.endsWith("." + target)) {
        findings.add(Finding.pass(AREA, tag, u));
        continue;
      }
      String authorisation = domain + "._report._dmarc." + target;
      DnsAnswer answer = dns.ask(authorisation, Type.TXT);
      if (answer instanceof DnsAnswer.Failed f) {
        findings.add(Finding.dnsError(AREA, tag, authorisation + " TXT", f));
      } else if (dns.texts(answer).stream().anyMatch(t -> t.regionMatches(true, 0, "v=DMARC1", 0, 8))) {
        findings.add(Finding.pass(AREA, tag, u + " (external; " + target + " accepts reports for " + domain + ")"));
      } else {
        findings.add(new Finding(AREA, tag, Outcome.WARN, u + ": external destination without authorisation (" + authorisation + ": " + answer.describe() + ")",
            "receivers send no reports there until " + target + " publishes TXT " + authorisation + " \"v=DMARC1\" (RFC 7489 7.1); report services usually do this for you"));
      }
    }
  }
}
