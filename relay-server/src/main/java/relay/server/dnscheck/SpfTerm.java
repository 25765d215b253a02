package relay.server.dnscheck;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One term of an SPF record (RFC 7208 section 4.6.1): a mechanism with its qualifier, or a
 * modifier ({@code name=value}). Immutable; built by {@link SpfRecord#parse}, which validated it.
 */
sealed interface SpfTerm {

  /** The six mechanisms that ask DNS, which the limit of 10 lookups (RFC 7208 4.6.4) counts, with {@code redirect}. */
  enum Kind {
    ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS;

    boolean asksDns() {
      return switch (this) {
        case INCLUDE, A, MX, PTR, EXISTS -> true;
        case ALL, IP4, IP6 -> false;
      };
    }
  }

  /** {@code +} pass, {@code -} fail, {@code ~} softfail, {@code ?} neutral (RFC 7208 4.6.2). */
  enum Qualifier {
    PASS('+'), FAIL('-'), SOFTFAIL('~'), NEUTRAL('?');

    final char symbol;

    Qualifier(char symbol) {
      this.symbol = symbol;
    }

    SpfResult result() {
      return switch (this) {
        case PASS -> SpfResult.PASS;
        case FAIL -> SpfResult.FAIL;
        case SOFTFAIL -> SpfResult.SOFTFAIL;
        case NEUTRAL -> SpfResult.NEUTRAL;
      };
    }
  }

  /**
   * @param domain the domain-spec, or null for the current domain (a, mx, ptr) or none (all, ip4, ip6)
   * @param network the address of ip4/ip6, else null
   * @param cidr4 prefix length for IPv4 (32 when absent)
   * @param cidr6 prefix length for IPv6 (128 when absent)
   * @param text the term as written, for reports
   */
  record Mechanism(Qualifier qualifier, Kind kind, String domain, InetAddress network, int cidr4, int cidr6, String text)
      implements SpfTerm {
    public Mechanism {
      Objects.requireNonNull(qualifier, "qualifier");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
    }
  }

  /** {@code redirect=}, {@code exp=} or an unknown modifier (which RFC 7208 6 says to ignore). */
  record Modifier(String name, String value) implements SpfTerm {
    public Modifier {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }
}
