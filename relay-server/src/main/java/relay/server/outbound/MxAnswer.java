package relay.server.outbound;

import java.util.List;
import java.util.Objects;

/**
 * What DNS says about where a recipient domain's mail goes. A closed set: {@link MxTransport}
 * switches over it exhaustively to decide between delivering, failing for good and trying later.
 */
public sealed interface MxAnswer {

  /**
   * The places to try, in order: MX hosts by preference (equal preferences shuffled), each with its
   * addresses; or the domain's own addresses when it has no MX records. Never empty.
   */
  record Hosts(List<MxHost> hosts) implements MxAnswer {
    public Hosts {
      hosts = List.copyOf(hosts);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("no hosts: use another answer");
      }
    }
  }

  /** The domain publishes a null MX ({@code 0 .}, RFC 7505): it accepts no mail at all. Permanent. */
  record NullMx() implements MxAnswer {}

  /**
   * The domain, or every one of its MX hosts, does not exist (NXDOMAIN), or has neither MX nor
   * address records. Permanent.
   *
   * @param reason what was looked up and what DNS said, for logs and DSNs
   */
  record NoSuchDomain(String reason) implements MxAnswer {
    public NoSuchDomain {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The lookup could not be completed (SERVFAIL, timeout, no resolver reachable). Transient: the
   * answer may be different later.
   *
   * @param reason what was looked up and what went wrong, for logs and the recipients' last reply
   */
  record LookupFailed(String reason) implements MxAnswer {
    public LookupFailed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
