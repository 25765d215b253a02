package relay.server.main;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.core.connector.OutboundConnector;
import relay.core.connector.UpstreamHost;
import relay.server.dnscheck.DnsCheck;
import relay.server.dnscheck.DnsCheckRequest;
import relay.server.dnscheck.DnsReport;

/**
 * {@code relay check-dns DOMAIN}: checks a sending domain's DNS the way Microsoft's analyzers do
 * (MX, SPF, DKIM, DMARC, Autodiscover), each check passing, warning or failing with what was seen
 * and how to fix it. A thin layer over {@link DnsCheck}. DNS servers: {@code --resolver}, else the
 * first {@code mx} connector's {@code resolvers} of {@code --config}, else the system's.
 *
 * <p>Exit codes: 0 all passed, 1 warnings only, 2 a check failed (or invalid arguments or
 * configuration: then nothing is printed on stdout), 3 DNS did not answer (SERVFAIL, timeout).
 */
@Command(name = "check-dns", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check a domain's MX, SPF, DKIM, DMARC and Autodiscover records, as Microsoft 365 expects them.",
        "Exit: 0 all passed, 1 warnings, 2 failures, 3 DNS did not answer (the report is incomplete)."},
    footer = {"", "Examples:", "  relay check-dns contoso.com --relay-ip 203.0.113.7",
        "  relay check-dns contoso.com --selector s1 --resolver 1.1.1.1 --json"})
final class CheckDnsCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DOMAIN", description = "the domain mail is sent from (the envelope sender's and From's domain)")
  private String domain;

  @Option(names = "--relay-ip", paramLabel = "IP", description = "the relay's public address: is it authorised by SPF?")
  private String relayIp;

  @Option(names = "--selector", paramLabel = "NAME", description = "check the DKIM key of this selector (default: Microsoft 365's selector1/selector2 CNAMEs)")
  private String selector;

  @Option(names = "--m365", description = "the mailboxes are in Microsoft 365 even though the MX points elsewhere (e.g. a filter)")
  private boolean microsoft365;

  @Option(names = "--connect", description = "try a TCP connection to port 25 of each MX host (off by default)")
  private boolean connect;

  @Option(names = "--resolver", paramLabel = "HOST[:PORT]", description = "DNS server to ask (repeatable; [IPv6]:PORT for a port)")
  private List<String> resolvers = List.of();

  @Option(names = "--timeout", paramLabel = "DURATION", description = "time one DNS query may take, e.g. 5s (default: the mx connector's dns-timeout, else 5s)")
  private String timeout;

  @Option(names = "--json", description = "one JSON object instead of text")
  private boolean json;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "take the DNS servers and timeout from this configuration's first mx connector")
  private Path config;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  /** The SMTP port --connect tries (the relay's mx connector delivers to 25). */
  private static final int SMTP_PORT = 25;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<UpstreamHost> servers;
    Duration dnsTimeout = Duration.ofSeconds(5);
    DnsCheckRequest request;
    try {
      Optional<OutboundConnector.Mx> mx = Optional.empty();
      if (config != null) {
        mx = ConfigLoader.loadForRouting(Optional.of(config), main.environment()).outboundConnectors().stream()
            .filter(c -> c instanceof OutboundConnector.Mx).map(c -> (OutboundConnector.Mx) c).findFirst();
      }
      servers = !resolvers.isEmpty() ? resolvers.stream().map(CheckDnsCommand::server).toList()
          : mx.map(OutboundConnector.Mx::resolvers).orElse(List.of());
      dnsTimeout = timeout != null ? duration(timeout) : mx.map(OutboundConnector.Mx::dnsTimeout).orElse(dnsTimeout);
      request = new DnsCheckRequest(domain, Optional.ofNullable(relayIp).map(InetAddress::ofLiteral), Optional.ofNullable(selector),
          microsoft365, connect ? Optional.of(Duration.ofSeconds(3)) : Optional.empty(), SMTP_PORT);
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("relay check-dns: " + e.getMessage());
      return 2;
    }
    DnsReport report = new DnsCheck(servers, dnsTimeout).run(request);
    out.print(json ? report.json() + "\n" : report.text());
    out.flush();
    return report.exitStatus();
  }

  /** {@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code ns.example}, {@code 2001:db8::53}, {@code [2001:db8::53]:5353}. */
  static UpstreamHost server(String text) {
    String s = text.strip();
    try {
      if (s.startsWith("[")) {
        int close = s.indexOf(']');
        String host = s.substring(1, close);
        return new UpstreamHost(host, close + 1 < s.length() ? port(s.substring(close + 2)) : 53);
      }
      int colon = s.indexOf(':');
      if (colon > 0 && colon == s.lastIndexOf(':')) {
        return new UpstreamHost(s.substring(0, colon), port(s.substring(colon + 1)));
      }
      return new UpstreamHost(s, 53);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--resolver " + text + ": expected HOST, HOST:PORT or [IPv6]:PORT");
    }
  }

  private static int port(String text) {
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
    return port;
  }

  private static Duration duration(String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--timeout " + text + ": expected e.g. 5s or 500ms");
    }
  }
}
