package relay.server.dnscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import relay.server.outbound.TinyDns;

/** {@link DnsCheck} against crafted zones served by a local DNS server: never the real Internet. */
class DnsCheckTest {

  private TinyDns dns;

  @BeforeEach
  void start() throws Exception {
    dns = new TinyDns();
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  /** A domain set up the way Microsoft 365's admin center asks for, with the relay's address in SPF. */
  static void microsoft365(TinyDns dns) {
    microsoft365(dns, "v=spf1 ip4:203.0.113.7 include:spf.protection.outlook.com -all");
  }

  /** The same with another SPF record. */
  static void microsoft365(TinyDns dns, String spf) {
    dns.mx("contoso.com", 0, "contoso-com.mail.protection.outlook.com")
        .a("contoso-com.mail.protection.outlook.com", "192.0.2.25")
        .txt("contoso.com", spf)
        .txt("contoso.com", "MS=ms12345678")
        .txt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip6:2a01:111:f400::/48 -all")
        .cname("selector1._domainkey.contoso.com", "selector1-contoso-com._domainkey.contoso.onmicrosoft.com")
        .cname("selector2._domainkey.contoso.com", "selector2-contoso-com._domainkey.contoso.onmicrosoft.com")
        .txt("_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com")
        .cname("autodiscover.contoso.com", "autodiscover.outlook.com");
  }

  private DnsReport check(String relayIp) throws InterruptedException {
    return check(new DnsCheckRequest("contoso.com", Optional.ofNullable(relayIp).map(InetAddress::ofLiteral),
        Optional.empty(), false, Optional.empty(), 25));
  }

  private DnsReport checkWithoutRelay() throws InterruptedException {
    return check((String) null);
  }

  private DnsReport check(DnsCheckRequest request) throws InterruptedException {
    return new DnsCheck(List.of(dns.address()), Duration.ofMillis(500)).run(request);
  }

  private static Finding finding(DnsReport report, String area, String check) {
    return report.findings().stream().filter(f -> f.area().equals(area) && f.check().equals(check)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + area + " " + check + " in\n" + report.text()));
  }

  @Test
  void aWellSetUpMicrosoft365DomainPassesEveryCheck() throws Exception {
    microsoft365(dns);

    DnsReport report = check("203.0.113.7");

    assertThat(report.findings()).as(report.text()).allMatch(f -> f.outcome() == Outcome.PASS || f.outcome() == Outcome.INFO);
    assertThat(report.exitStatus()).isZero();
    assertThat(report.microsoft365()).isTrue();
    assertThat(finding(report, "SPF", "Microsoft 365").seen()).contains("include:spf.protection.outlook.com");
    assertThat(finding(report, "SPF", "relay 203.0.113.7").seen()).startsWith("pass: matched ip4:203.0.113.7");
    assertThat(finding(report, "SPF", "lookups").seen()).startsWith("1 DNS-querying terms");
    assertThat(finding(report, "DKIM", "selector1._domainkey.contoso.com").outcome()).isEqualTo(Outcome.PASS);
    assertThat(report.text()).contains("MX\n  PASS      MX records: 0 contoso-com.mail.protection.outlook.com");
  }

  @Test
  void twoSpfRecordsArePermanentError() throws Exception {
    microsoft365(dns);
    dns.txt("contoso.com", "v=spf1 ip4:198.51.100.1 -all");

    DnsReport report = checkWithoutRelay();

    Finding spf = finding(report, "SPF", "SPF record");
    assertThat(spf.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(spf.seen()).startsWith("2 SPF records");
    assertThat(spf.hint()).contains("merge them into one");
    assertThat(report.exitStatus()).isEqualTo(2);
  }

  @Test
  void elevenLookupsThroughNestedIncludesAreOverTheLimit() throws Exception {
    microsoft365(dns, "v=spf1 include:spf.protection.outlook.com include:l1.example -all");
    for (int i = 1; i < 10; i++) {
      dns.txt("l" + i + ".example", "v=spf1 include:l" + (i + 1) + ".example ~all");
    }
    dns.txt("l10.example", "v=spf1 ip4:203.0.113.7 -all");

    DnsReport report = check("203.0.113.7");

    Finding lookups = finding(report, "SPF", "lookups");
    assertThat(lookups.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(lookups.seen()).startsWith("11 DNS-querying terms, more than 10");
    // the relay's address is listed, but only behind the eleventh lookup: receivers never get there
    assertThat(finding(report, "SPF", "relay 203.0.113.7").seen()).startsWith("permerror: more than 10 DNS-querying terms");
    assertThat(report.exitStatus()).isEqualTo(2);
  }

  @Test
  void tenLookupsAreAllowedButWarned() throws Exception {
    microsoft365(dns, "v=spf1 include:spf.protection.outlook.com include:l2.example -all");
    for (int i = 2; i < 10; i++) {
      dns.txt("l" + i + ".example", "v=spf1 include:l" + (i + 1) + ".example ~all");
    }
    dns.txt("l10.example", "v=spf1 ip4:203.0.113.7 -all");

    DnsReport report = check("203.0.113.7");

    assertThat(finding(report, "SPF", "lookups").outcome()).isEqualTo(Outcome.WARN);
    assertThat(finding(report, "SPF", "relay 203.0.113.7").outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void anIncludeLoopIsFoundAndNamed() throws Exception {
    microsoft365(dns, "v=spf1 include:spf.protection.outlook.com include:loop.example -all");
    dns.txt("loop.example", "v=spf1 include:contoso.com -all");

    DnsReport report = checkWithoutRelay();

    Finding lookups = finding(report, "SPF", "lookups");
    assertThat(lookups.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(lookups.seen()).startsWith("loop: contoso.com -> loop.example -> contoso.com");
  }

  @Test
  void aMissingDmarcRecordWarns() throws Exception {
    dns.mx("contoso.com", 0, "contoso-com.mail.protection.outlook.com")
        .a("contoso-com.mail.protection.outlook.com", "192.0.2.25")
        .txt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
        .txt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 -all");

    DnsReport report = checkWithoutRelay();

    Finding dmarc = finding(report, "DMARC", "DMARC record");
    assertThat(dmarc.outcome()).isEqualTo(Outcome.WARN);
    assertThat(dmarc.seen()).contains("NXDOMAIN");
    assertThat(dmarc.hint()).contains("v=DMARC1; p=none");
    assertThat(finding(report, "Autodiscover", "autodiscover.contoso.com").outcome()).isEqualTo(Outcome.WARN);
    assertThat(finding(report, "DKIM", "selector2._domainkey.contoso.com").outcome()).isEqualTo(Outcome.WARN);
    assertThat(report.exitStatus()).isEqualTo(1);
  }

  @Test
  void policyNoneWarnsAndAnExternalReportAddressNeedsItsAuthorisation() throws Exception {
    dns.mx("contoso.com", 10, "mail.contoso.com").a("mail.contoso.com", "192.0.2.10")
        .txt("contoso.com", "v=spf1 mx ~all")
        .txt("_dmarc.contoso.com", "v=DMARC1; p=none; pct=50; rua=mailto:agg@reports.example,mailto:dmarc@contoso.com; adkim=s")
        .txt("contoso.com._report._dmarc.elsewhere.example", "v=DMARC1");

    DnsReport report = checkWithoutRelay();

    assertThat(finding(report, "DMARC", "policy").outcome()).isEqualTo(Outcome.WARN);
    assertThat(finding(report, "DMARC", "pct").seen()).contains("50%");
    assertThat(finding(report, "DMARC", "alignment").seen()).contains("strict");
    List<Finding> rua = report.findings().stream().filter(f -> f.check().equals("rua")).toList();
    assertThat(rua).extracting(Finding::outcome).containsExactly(Outcome.WARN, Outcome.PASS);
    assertThat(rua.getFirst().hint()).contains("contoso.com._report._dmarc.reports.example");
    assertThat(finding(report, "MX", "Microsoft 365").outcome()).isEqualTo(Outcome.INFO);
    assertThat(finding(report, "SPF", "all").outcome()).isEqualTo(Outcome.INFO);
    assertThat(finding(report, "DKIM", "selector").outcome()).isEqualTo(Outcome.INFO);
    assertThat(finding(report, "Autodiscover", "autodiscover.contoso.com").outcome()).isEqualTo(Outcome.INFO);
    assertThat(report.exitStatus()).isEqualTo(1);
  }

  @Test
  void aNullMxIsRecognised() throws Exception {
    dns.mx("contoso.com", 0, ".").txt("contoso.com", "v=spf1 -all").txt("_dmarc.contoso.com", "v=DMARC1; p=reject");

    DnsReport report = checkWithoutRelay();

    Finding mx = finding(report, "MX", "MX records");
    assertThat(mx.outcome()).isEqualTo(Outcome.WARN);
    assertThat(mx.seen()).contains("null MX").contains("RFC 7505");
    assertThat(mx.hint()).contains("5.7.27");
    assertThat(report.findings()).noneMatch(f -> f.check().endsWith("resolves"));
    assertThat(report.exitStatus()).isEqualTo(1);
  }

  @Test
  void serverFailureIsReportedAsDnsErrorNotAsAMissingRecord() throws Exception {
    dns.serverFailure("contoso.com").serverFailure("_dmarc.contoso.com");

    DnsReport report = checkWithoutRelay();

    Finding mx = finding(report, "MX", "MX records");
    assertThat(mx.outcome()).isEqualTo(Outcome.DNS_ERROR);
    assertThat(mx.seen()).contains("SERVFAIL");
    assertThat(finding(report, "SPF", "SPF record").outcome()).isEqualTo(Outcome.DNS_ERROR);
    assertThat(finding(report, "DMARC", "DMARC record").outcome()).isEqualTo(Outcome.DNS_ERROR);
    assertThat(report.exitStatus()).isEqualTo(3);
  }

  @Test
  void aFailingIncludeIsTemporaryErrorAndATimeoutIsToo() throws Exception {
    microsoft365(dns, "v=spf1 include:spf.protection.outlook.com include:broken.example -all");
    dns.serverFailure("broken.example").silent("autodiscover.contoso.com");

    DnsReport report = new DnsCheck(List.of(dns.address()), Duration.ofMillis(200))
        .run(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.empty(), false, Optional.empty(), 25));

    Finding lookups = finding(report, "SPF", "lookups");
    assertThat(lookups.outcome()).isEqualTo(Outcome.DNS_ERROR);
    assertThat(lookups.seen()).contains("broken.example").contains("SERVFAIL");
    assertThat(finding(report, "Autodiscover", "autodiscover.contoso.com").seen()).contains("no answer");
    assertThat(report.exitStatus()).isEqualTo(3);
  }

  @Test
  void theRelayAddressIsAuthorisedThroughAMechanismOrAnInclude() throws Exception {
    dns.mx("contoso.com", 10, "mail.contoso.com").a("mail.contoso.com", "192.0.2.10")
        .a("relay.contoso.com", "198.51.100.20")
        .txt("contoso.com", "v=spf1 mx a:relay.contoso.com include:partner.example -all")
        .txt("partner.example", "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all");

    assertThat(relayVerdict("192.0.2.10")).startsWith("pass: matched mx");
    assertThat(relayVerdict("198.51.100.20")).startsWith("pass: matched a:relay.contoso.com");
    assertThat(relayVerdict("203.0.113.99")).startsWith("pass: matched include:partner.example");
    assertThat(relayVerdict("2001:db8::7")).startsWith("pass: matched include:partner.example");
    assertThat(relayVerdict("198.51.100.21")).startsWith("fail: matched -all in contoso.com");
  }

  private String relayVerdict(String ip) throws InterruptedException {
    Finding f = finding(check(ip), "SPF", "relay " + InetAddress.ofLiteral(ip).getHostAddress());
    if (f.seen().startsWith("fail")) {
      assertThat(f.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(f.hint()).contains("add ip4:" + ip);
    }
    return f.seen();
  }

  @Test
  void moreThanTwoVoidLookupsArePermanentError() throws Exception {
    dns.mx("contoso.com", 10, "mail.contoso.com").a("mail.contoso.com", "192.0.2.10")
        .txt("contoso.com", "v=spf1 a:gone1.example a:gone2.example exists:gone3.example mx -all");

    DnsReport report = check("192.0.2.10");

    assertThat(finding(report, "SPF", "lookups").seen()).startsWith("3 void lookups, more than 2");
    assertThat(finding(report, "SPF", "relay 192.0.2.10").seen()).startsWith("permerror: more than 2 void lookups");
  }

  @Test
  void plusAllAndSyntaxErrorsAreCalledOut() throws Exception {
    dns.mx("contoso.com", 10, "mail.contoso.com").a("mail.contoso.com", "192.0.2.10").txt("contoso.com", "v=spf1 +all");
    assertThat(finding(checkWithoutRelay(), "SPF", "all").outcome()).isEqualTo(Outcome.WARN);

    try (TinyDns other = new TinyDns()) {
      other.mx("contoso.com", 10, "mail.contoso.com").a("mail.contoso.com", "192.0.2.10")
          .txt("contoso.com", "v=spf1 ip4:192.0.2.300 -all");
      DnsReport report = new DnsCheck(List.of(other.address()), Duration.ofMillis(500))
          .run(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.empty(), false, Optional.empty(), 25));
      Finding syntax = finding(report, "SPF", "syntax");
      assertThat(syntax.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(syntax.seen()).contains("192.0.2.300");
    }
  }

  @Test
  void anMxHostWithoutAddressFailsAndConnectTriesEachAddress() throws Exception {
    try (ServerSocket smtp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dns.mx("contoso.com", 10, "mx1.contoso.com").mx("contoso.com", 20, "mx2.contoso.com")
          .a("mx1.contoso.com", "127.0.0.1").txt("mx2.contoso.com", "no address here");

      DnsReport report = check(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.empty(), false,
          Optional.of(Duration.ofSeconds(2)), smtp.getLocalPort()));

      assertThat(finding(report, "MX", "mx1.contoso.com resolves").outcome()).isEqualTo(Outcome.PASS);
      assertThat(finding(report, "MX", "mx1.contoso.com port " + smtp.getLocalPort()).seen()).contains("accepts connections");
      assertThat(finding(report, "MX", "mx2.contoso.com resolves").outcome()).isEqualTo(Outcome.FAIL);
    }
  }

  @Test
  void aResolverThatNeverAnswersStopsTheCheckEarly() throws Exception {
    dns.silent("contoso.com");

    DnsReport report = new DnsCheck(List.of(dns.address()), Duration.ofMillis(200))
        .run(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.empty(), false, Optional.empty(), 25));

    assertThat(report.findings()).extracting(Finding::check).containsExactly("MX records", "resolvers");
    assertThat(finding(report, "DNS", "resolvers").seen()).startsWith("no answer from 127.0.0.1:");
    assertThat(report.exitStatus()).isEqualTo(3);
  }

  @Test
  void twoDmarcRecordsFail() throws Exception {
    microsoft365(dns);
    dns.txt("_dmarc.contoso.com", "v=DMARC1; p=none");

    Finding dmarc = finding(checkWithoutRelay(), "DMARC", "DMARC record");

    assertThat(dmarc.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(dmarc.hint()).contains("6.6.3");
  }

  @Test
  void microsoft365BehindAFilterIsCheckedWhenAskedTo() throws Exception {
    dns.mx("contoso.com", 10, "contoso-com.filter.example").a("contoso-com.filter.example", "192.0.2.80")
        .txt("contoso.com", "v=spf1 include:filter.example ptr exists:%{i}._spf.contoso.com -all")
        .txt("filter.example", "v=spf1 ip4:192.0.2.0/24 -all");

    DnsReport report = check(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.empty(), true, Optional.empty(), 25));

    assertThat(report.microsoft365()).isTrue();
    assertThat(finding(report, "SPF", "Microsoft 365").outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding(report, "DKIM", "selector1._domainkey.contoso.com").outcome()).isEqualTo(Outcome.WARN);
    assertThat(report.findings()).filteredOn(f -> f.check().equals("not evaluated")).extracting(Finding::seen)
        .anySatisfy(s -> assertThat(s).startsWith("ptr in contoso.com: ptr is deprecated"))
        .anySatisfy(s -> assertThat(s).startsWith("exists:%{i}._spf.contoso.com uses macros"));
    assertThat(finding(report, "SPF", "lookups").seen()).startsWith("3 DNS-querying terms");
  }

  @Test
  void theDomainIsAskedForInItsAsciiForm() {
    assertThat(new DnsCheckRequest("Bücher.Example.", Optional.empty(), Optional.empty(), false, Optional.empty(), 25).domain())
        .isEqualTo("xn--bcher-kva.example");
  }
}
