package relay.server.dnscheck;

import java.net.IDN;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What to check: the domain, and the optional facts that sharpen the checks. Immutable.
 *
 * @param domain lower-cased, in ASCII (A-labels for an internationalised name), without a trailing dot
 * @param relayIp the relay's public address: checked against SPF
 * @param selector a DKIM selector whose key to check, instead of Microsoft 365's two CNAMEs
 * @param microsoft365 true to check the Microsoft 365 records even when the MX points elsewhere
 * @param connectTimeout when present, MX hosts get a TCP connect on {@code smtpPort} with this timeout
 * @param smtpPort 25, but in tests
 */
public record DnsCheckRequest(String domain, Optional<InetAddress> relayIp, Optional<String> selector, boolean microsoft365,
    Optional<Duration> connectTimeout, int smtpPort) {

  public DnsCheckRequest {
    Objects.requireNonNull(domain, "domain");
    domain = domain.strip().toLowerCase(Locale.ROOT);
    if (domain.endsWith(".")) {
      domain = domain.substring(0, domain.length() - 1);
    }
    if (domain.isEmpty() || domain.contains("..") || domain.startsWith(".") || domain.contains("@") || domain.contains(" ")) {
      throw new IllegalArgumentException("'" + domain + "' is not a domain name");
    }
    // DNS holds internationalised names in their ASCII form (RFC 5890): ask for what is there
    try {
      domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + domain + "' is not a domain name: " + e.getMessage());
    }
    Objects.requireNonNull(relayIp, "relayIp");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
  }
}
