package relay.core.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.Domain;
import relay.core.reply.Replies;

/**
 * Chooses the outbound connector for a recipient domain: among connectors that are not rule-scoped,
 * the one with the most specific matching pattern (exact, then longer {@code *.} suffix, then shorter,
 * then {@code *}). A mail-flow rule's "route via" overrides this choice ({@link #routeVia}); that is
 * the only way to reach a rule-scoped connector. No match: the recipient is refused at RCPT with
 * {@link Replies#UNROUTABLE}.
 *
 * <p>Two connectors listing the same pattern are a configuration error reported by
 * {@link #problems()}; until fixed, the one listed first wins so that behaviour is at least
 * deterministic.
 *
 * <p>Immutable and thread-safe; build a new router when the configuration changes.
 */
public final class Router {

  private final List<ConnectorScope> connectors;
  private final Map<String, ConnectorScope> byName = new HashMap<>();

  public Router(List<ConnectorScope> connectors) {
    this.connectors = List.copyOf(connectors);
    for (ConnectorScope c : this.connectors) {
      byName.putIfAbsent(c.connector(), c);
    }
  }

  public List<ConnectorScope> connectors() {
    return connectors;
  }

  /** True when an outbound connector of that name is configured (rule-scoped or not). */
  public boolean knows(String connector) {
    return byName.containsKey(connector);
  }

  /** The connector serving this recipient domain, or empty when none does. */
  public Optional<Route> route(Domain domain) {
    ConnectorScope best = null;
    DomainPattern bestPattern = null;
    for (ConnectorScope c : connectors) {
      if (c.ruleScoped()) {
        continue;
      }
      for (DomainPattern p : c.recipientDomains()) {
        if (p.matches(domain) && (bestPattern == null || p.specificity() > bestPattern.specificity())) {
          best = c;
          bestPattern = p;
        }
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(new Route(best.connector(), "recipient domain matches " + bestPattern));
  }

  /** The route a rule asks for, or empty when no connector has that name. */
  public Optional<Route> routeVia(String connector, String rule) {
    if (!knows(connector)) {
      return Optional.empty();
    }
    return Optional.of(new Route(connector, "rule '" + rule + "' routes via " + connector));
  }

  /**
   * Every configuration mistake at once: duplicate connector names, a pattern served by two
   * connectors (ambiguous), a rule-scoped connector with patterns (ignored), and a connector that
   * nothing can reach.
   */
  public List<RoutingProblem> problems() {
    List<RoutingProblem> problems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<DomainPattern, String> owner = new HashMap<>();
    for (ConnectorScope c : connectors) {
      String subject = "outbound connector '" + c.connector() + "'";
      if (!names.add(c.connector())) {
        problems.add(new RoutingProblem(subject, "is defined more than once"));
      }
      if (c.ruleScoped()) {
        if (!c.recipientDomains().isEmpty()) {
          problems.add(new RoutingProblem(subject,
              "is rule-scoped, so its recipient domains " + c.recipientDomains()
                  + " are never used; remove them or make it not rule-scoped"));
        }
        continue;
      }
      if (c.recipientDomains().isEmpty()) {
        problems.add(new RoutingProblem(subject,
            "serves no recipient domain and is not rule-scoped, so no mail can reach it"));
      }
      Set<DomainPattern> own = new HashSet<>();
      for (DomainPattern p : c.recipientDomains()) {
        if (!own.add(p)) {
          problems.add(new RoutingProblem(subject, "lists recipient domain '" + p + "' twice"));
          continue;
        }
        String previous = owner.putIfAbsent(p, c.connector());
        if (previous != null && !previous.equals(c.connector())) {
          problems.add(new RoutingProblem(subject,
              "recipient domain '" + p + "' is also served by outbound connector '" + previous
                  + "'; a domain pattern may belong to one connector only"));
        }
      }
    }
    return List.copyOf(problems);
  }
}
