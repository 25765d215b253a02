package relay.server.dnscheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Type;
import relay.core.connector.UpstreamHost;

/**
 * Runs every check on one domain, in the order an administrator fixes things: MX (which also tells
 * whether the domain is in Microsoft 365, deciding which further records are expected), SPF, DKIM,
 * DMARC, Autodiscover. The entry point of the package, used by {@code relay check-dns}.
 *
 * <p>Blocks on DNS (each query at most the timeout, with one retry); one call per instance at a
 * time (the lookups it makes are cached for the run and not thread-safe).
 */
public final class DnsCheck {

  private final DnsLookup dns;

  /**
   * @param servers DNS servers to ask, in order; empty for the system's
   * @param timeout the time one DNS query may take
   */
  public DnsCheck(List<UpstreamHost> servers, Duration timeout) {
    this.dns = new DnsLookup(servers, timeout);
  }

  public DnsReport run(DnsCheckRequest request) throws InterruptedException {
    String domain = request.domain();
    List<Finding> findings = new ArrayList<>();
    MxCheck.Result mx = MxCheck.check(dns, domain, request.connectTimeout().orElse(null), request.smtpPort());
    findings.addAll(mx.findings());
    if (dns.ask(domain, Type.MX) instanceof DnsAnswer.Failed f && !f.answered()) {
      // no server answered the first question: asking a dozen more would only multiply the wait
      findings.add(new Finding("DNS", "resolvers", Outcome.DNS_ERROR, "no answer from " + dns.servers() + "; the other checks were skipped",
          "check that the resolver is reachable (UDP and TCP port 53) or name another with --resolver; raise --timeout on a slow link"));
      return new DnsReport(domain, dns.servers(), false, findings);
    }
    boolean m365 = mx.microsoft365() || request.microsoft365();
    findings.addAll(SpfCheck.check(dns, domain, request.relayIp().orElse(null), m365));
    findings.addAll(DkimCheck.check(dns, domain, request.selector().orElse(null), m365));
    findings.addAll(DmarcCheck.check(dns, domain));
    findings.addAll(AutodiscoverCheck.check(dns, domain, m365));
    return new DnsReport(domain, dns.servers(), m365, findings);
  }
}
