package relay.core.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.Domain;
import relay.core.envelope.MailPath;

/**
 * The domains that make up the organisation: a sender or recipient whose domain matches any of
 * them is "inside", everything else is "outside". Relay rights (decided by the inbound connector)
 * and the inside/outside conditions of mail-flow rules both ask this.
 *
 * <p>Invariant: the list is an immutable copy; it may be empty (nothing is inside). Thread-safe.
 */
public record AcceptedDomains(List<AcceptedDomain> domains) {

  public static final AcceptedDomains NONE = new AcceptedDomains(List.of());

  public AcceptedDomains {
    domains = List.copyOf(domains);
  }

  /** The most specific accepted domain that matches, if any. */
  public Optional<AcceptedDomain> find(Domain domain) {
    return domains.stream()
        .filter(d -> d.pattern().matches(domain))
        .max(Comparator.comparingInt(d -> d.pattern().specificity()));
  }

  /** True when the domain belongs to the organisation. */
  public boolean isInside(Domain domain) {
    return find(domain).isPresent();
  }

  /** True when the address belongs to the organisation; the null path {@code <>} never does. */
  public boolean isInside(MailPath address) {
    return !address.isNull() && isInside(address.domain());
  }

  /** The same pattern listed twice is reported (with different types it is also ambiguous). */
  public List<RoutingProblem> problems() {
    List<RoutingProblem> problems = new ArrayList<>();
    Set<DomainPattern> seen = new HashSet<>();
    for (AcceptedDomain d : domains) {
      if (!seen.add(d.pattern())) {
        problems.add(new RoutingProblem(
            "accepted domain '" + d.pattern() + "'", "is listed more than once; keep one entry"));
      }
    }
    return List.copyOf(problems);
  }
}
