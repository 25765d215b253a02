package relay.server.dnscheck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of {@link DnsCheck#run}: every finding in order, the exit status they add up to, and
 * the two renderings (text for people, JSON for scripts). Immutable.
 *
 * <p>Exit status: 0 every check passed (information included), 1 warnings only, 2 at least one
 * failure, 3 DNS did not answer some question (SERVFAIL, timeout...), so the report is incomplete;
 * 3 wins over 2 because failures seen through broken DNS may not be real.
 */
public record DnsReport(String domain, String resolvers, boolean microsoft365, List<Finding> findings) {

  public DnsReport {
    findings = List.copyOf(findings);
  }

  public int exitStatus() {
    return worst().exitStatus();
  }

  Outcome worst() {
    return findings.stream().map(Finding::outcome).max(Comparator.naturalOrder()).orElse(Outcome.PASS);
  }

  /** The outcomes counted, for the last line. */
  Map<Outcome, Long> counts() {
    Map<Outcome, Long> counts = new TreeMap<>();
    findings.forEach(f -> counts.merge(f.outcome(), 1L, Long::sum));
    return counts;
  }

  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("DNS check of ").append(domain).append(" (asking ").append(resolvers).append(")")
        .append(microsoft365 ? ", checked as a Microsoft 365 domain" : "").append('\n');
    String area = null;
    for (Finding f : findings) {
      if (!f.area().equals(area)) {
        area = f.area();
        out.append('\n').append(area).append('\n');
      }
      out.append(String.format(Locale.ROOT, "  %-9s %s: %s%n", label(f.outcome()), f.check(), f.seen()));
      if (!f.hint().isEmpty()) {
        out.append("            fix: ").append(f.hint()).append('\n');
      }
    }
    out.append('\n').append("result: ");
    counts().forEach((o, n) -> out.append(n).append(' ').append(label(o).toLowerCase(Locale.ROOT)).append(", "));
    out.append("exit ").append(exitStatus()).append('\n');
    return out.toString();
  }

  public String json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("domain", domain);
    root.put("resolvers", resolvers);
    root.put("microsoft365", microsoft365);
    root.put("result", label(worst()).toLowerCase(Locale.ROOT));
    root.put("exit", exitStatus());
    ArrayNode checks = root.putArray("checks");
    for (Finding f : findings) {
      ObjectNode c = checks.addObject();
      c.put("area", f.area());
      c.put("check", f.check());
      c.put("outcome", label(f.outcome()).toLowerCase(Locale.ROOT));
      c.put("seen", f.seen());
      if (!f.hint().isEmpty()) {
        c.put("fix", f.hint());
      }
    }
    return root.toString();
  }

  private static String label(Outcome o) {
    return switch (o) {
      case PASS -> "PASS";
      case INFO -> "INFO";
      case WARN -> "WARN";
      case FAIL -> "FAIL";
      case DNS_ERROR -> "DNS-ERROR";
    };
  }
}
