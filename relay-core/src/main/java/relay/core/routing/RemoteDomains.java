package relay.core.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import relay.core.envelope.Domain;

/**
 * Settings per external domain; the most specific entry applies.
 *
 * <p>Invariant: a {@code *} entry is always present (the configured one, or
 * {@link RemoteDomain#DEFAULT} appended), so {@link #settingsFor} always answers. Immutable and
 * thread-safe.
 */
public record RemoteDomains(List<RemoteDomain> domains) {

  public RemoteDomains {
    List<RemoteDomain> all = new ArrayList<>(domains);
    if (all.stream().noneMatch(d -> d.pattern().equals(DomainPattern.ANY))) {
      all.add(RemoteDomain.DEFAULT);
    }
    domains = List.copyOf(all);
  }

  /** The settings of the most specific entry matching the domain. */
  public RemoteDomain settingsFor(Domain domain) {
    return domains.stream()
        .filter(d -> d.pattern().matches(domain))
        .max(Comparator.comparingInt(d -> d.pattern().specificity()))
        .orElseThrow(); // unreachable: the '*' entry matches every domain
  }

  /** The same pattern listed twice is reported. */
  public List<RoutingProblem> problems() {
    List<RoutingProblem> problems = new ArrayList<>();
    Set<DomainPattern> seen = new HashSet<>();
    for (RemoteDomain d : domains) {
      if (!seen.add(d.pattern())) {
        problems.add(new RoutingProblem(
            "remote domain '" + d.pattern() + "'", "is listed more than once; keep one entry"));
      }
    }
    return List.copyOf(problems);
  }
}
