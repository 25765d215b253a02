package relay.server.dnscheck;

import java.util.Objects;

/**
 * One check's result: which area (MX, SPF, DKIM, DMARC, Autodiscover), what was checked, how it
 * came out, what was seen in DNS and, unless it passed, how to fix it. Immutable.
 *
 * @param hint empty when there is nothing to do
 */
public record Finding(String area, String check, Outcome outcome, String seen, String hint) {
  public Finding {
    Objects.requireNonNull(area, "area");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(seen, "seen");
    Objects.requireNonNull(hint, "hint");
  }

  static Finding pass(String area, String check, String seen) {
    return new Finding(area, check, Outcome.PASS, seen, "");
  }

  /** A check that could not be made: DNS failed, so the zone's content is unknown. */
  static Finding dnsError(String area, String check, String name, DnsAnswer.Failed failed) {
    return new Finding(area, check, Outcome.DNS_ERROR, name + ": " + failed.describe(),
        "retry, or ask another resolver (--resolver); if it persists, the domain's DNS servers are failing");
  }
}
