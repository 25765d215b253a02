package relay.server.dnscheck;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The MX checks: the domain has MX records (or a null MX, RFC 7505), whether they point at
 * Microsoft 365 ({@code *.mail.protection.outlook.com}), that each host has an address and,
 * when asked, that each address takes a TCP connection on the SMTP port. Stateless.
 */
final class MxCheck {

  static final String AREA = "MX";
  static final String M365_SUFFIX = ".mail.protection.outlook.com";

  /** What the checks found, and whether the MX records say Microsoft 365 receives the domain's mail. */
  record Result(List<Finding> findings, boolean microsoft365) {
    Result {
      findings = List.copyOf(findings);
    }
  }

  /**
   * @param connectTimeout null for no connection test; else the time one TCP connect may take
   * @param smtpPort 25 but in tests
   */
  static Result check(DnsLookup dns, String domain, Duration connectTimeout, int smtpPort) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    DnsAnswer answer = dns.ask(domain, Type.MX);
    switch (answer) {
      case DnsAnswer.Failed f -> {
        findings.add(Finding.dnsError(AREA, "MX records", domain, f));
        return new Result(findings, false);
      }
      case DnsAnswer.NoSuchName n -> {
        findings.add(new Finding(AREA, "MX records", Outcome.FAIL, domain + ": " + n.describe(),
            "check the spelling; a domain that does not exist can neither receive mail nor send it credibly"));
        return new Result(findings, false);
      }
      case DnsAnswer.NoData n -> {
        findings.add(new Finding(AREA, "MX records", Outcome.FAIL, domain + ": no MX record (mail would go to its A record, RFC 5321 5.1)",
            "publish the MX record your mail service gives you; for Microsoft 365: " + domain.replace('.', '-')
                + M365_SUFFIX + " (Admin center > Settings > Domains shows the exact value)"));
        return new Result(findings, false);
      }
      case DnsAnswer.Found found -> { }
    }
    List<MXRecord> records = answer.records().stream().map(r -> (MXRecord) r)
        .sorted(Comparator.comparingInt(MXRecord::getPriority)).toList();
    List<MXRecord> real = records.stream().filter(r -> !r.getTarget().equals(Name.root)).toList();
    String listed = records.stream().map(r -> r.getPriority() + " " + (r.getTarget().equals(Name.root) ? "." : DnsLookup.text(r.getTarget())))
        .collect(Collectors.joining(", "));
    if (real.isEmpty()) {
      findings.add(new Finding(AREA, "MX records", Outcome.WARN, "null MX (" + listed + "): the domain receives no mail (RFC 7505)",
          "fine for a domain that only sends; but receivers may refuse mail from it (RFC 7505 4.2, 550 5.7.27), "
              + "since replies and bounces cannot reach it: publish a real MX if mail is sent from this domain"));
      return new Result(findings, false);
    }
    if (real.size() < records.size()) {
      findings.add(new Finding(AREA, "MX records", Outcome.WARN, listed,
          "a null MX (\".\") must stand alone (RFC 7505 3); remove it, senders ignore it beside real MX records"));
    } else {
      findings.add(Finding.pass(AREA, "MX records", listed));
    }
    List<String> hosts = real.stream().map(r -> DnsLookup.text(r.getTarget())).distinct().toList();
    long m365 = hosts.stream().filter(h -> h.endsWith(M365_SUFFIX)).count();
    if (m365 == hosts.size()) {
      findings.add(Finding.pass(AREA, "Microsoft 365", "all MX hosts are in " + M365_SUFFIX.substring(1)));
    } else if (m365 > 0) {
      findings.add(new Finding(AREA, "Microsoft 365", Outcome.WARN, m365 + " of " + hosts.size() + " MX hosts are in " + M365_SUFFIX.substring(1),
          "mixing Microsoft 365 with other MX hosts splits inbound mail; point all MX records at one service"));
    } else {
      findings.add(new Finding(AREA, "Microsoft 365", Outcome.INFO, "no MX host is in " + M365_SUFFIX.substring(1)
          + " (another service, or a filter in front of Microsoft 365)",
          "if the mailboxes are in Microsoft 365 behind a filter, add --m365 to check the Microsoft 365 records too"));
    }
    for (String host : hosts) {
      findings.addAll(host(dns, host, connectTimeout, smtpPort));
    }
    return new Result(findings, m365 > 0);
  }

  private static List<Finding> host(DnsLookup dns, String host, Duration connectTimeout, int smtpPort) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (DnsAnswer a : dns.addresses(host)) {
      a.records().stream().map(DnsLookup::address).forEach(addresses::add);
      if (a instanceof DnsAnswer.Failed f) {
        failures.add(f.describe());
      }
    }
    String check = host + " resolves";
    if (addresses.isEmpty()) {
      findings.add(failures.isEmpty()
          ? new Finding(AREA, check, Outcome.FAIL, host + ": no A or AAAA record",
              "an MX must name a host with an address (not a CNAME, not an IP): fix the MX or the host's records")
          : Finding.dnsError(AREA, check, host, new DnsAnswer.Failed(String.join("; ", failures), true)));
      return findings;
    }
    String seen = addresses.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
    findings.add(Finding.pass(AREA, check, seen));
    if (connectTimeout != null) {
      for (InetAddress address : addresses) {
        findings.add(connect(host, address, connectTimeout, smtpPort));
      }
    }
    return findings;
  }

  /** A bare TCP connect, closed at once: it shows the path is open, not that SMTP works. */
  private static Finding connect(String host, InetAddress address, Duration timeout, int port) {
    String check = host + " port " + port;
    String where = address.getHostAddress() + ":" + port;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
      return Finding.pass(AREA, check, where + " accepts connections");
    } catch (IOException e) {
      return new Finding(AREA, check, Outcome.WARN, where + ": " + String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT),
          "many networks and ISPs block outbound port 25; Relay's mx connector needs it open, a smarthost connector on 587 does not");
    }
  }
}
