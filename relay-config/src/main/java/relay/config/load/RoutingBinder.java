package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import relay.config.model.RoutingConfig;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.AcceptedDomainType;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.DomainPattern;
import relay.core.routing.RemoteDomain;
import relay.core.routing.RemoteDomains;
import relay.core.routing.RoutingProblem;

/**
 * Binds {@code relay.accepted-domains}, {@code relay.remote-domains} and {@code relay.rules}, joins
 * them with the outbound connectors' scopes, and runs the routing domain's own cross-checks
 * ({@link relay.core.routing.rule.RuleEngine#problems()}, {@link RemoteDomains#problems()}), placing
 * each of their problems at the file and line of the element it is about.
 *
 * <p>Not thread-safe; one per load.
 */
final class RoutingBinder {

  private final Set<String> inboundConnectors;

  RoutingBinder(Set<String> inboundConnectors) {
    this.inboundConnectors = Set.copyOf(inboundConnectors);
  }

  /** The routing configuration, or empty when anything had a problem (recorded). */
  Optional<RoutingConfig> bind(Section relay, List<BoundConnector> connectors) {
    int before = relay.problems().count();
    Map<String, Located> subjects = new HashMap<>();
    List<AcceptedDomain> accepted = new ArrayList<>();
    elements(relay, "accepted-domains", (s, at) -> {
      s.require("domain");
      Optional<DomainPattern> pattern = pattern(s);
      AcceptedDomainType type = s.choice("type", AcceptedDomainType.class).orElse(AcceptedDomainType.AUTHORITATIVE);
      s.finish();
      pattern.ifPresent(p -> {
        accepted.add(new AcceptedDomain(p, type));
        subjects.put("accepted domain '" + p + "'", at);
      });
    });
    List<RemoteDomain> remote = new ArrayList<>();
    elements(relay, "remote-domains", (s, at) -> {
      s.require("domain");
      Optional<DomainPattern> pattern = pattern(s);
      boolean replies = s.flag("allow-auto-replies").orElse(true);
      boolean forwarding = s.flag("allow-auto-forwarding").orElse(true);
      boolean reports = s.flag("allow-delivery-reports").orElse(true);
      Optional<Long> size = s.bytes("max-message-size");
      s.finish();
      pattern.ifPresent(p -> {
        remote.add(new RemoteDomain(p, replies, forwarding, reports,
            size.map(OptionalLong::of).orElse(OptionalLong.empty())));
        subjects.put("remote domain '" + p + "'", at);
      });
    });
    List<BoundRule> rules = new RuleBinder(inboundConnectors).bind(relay);
    connectors.forEach(c -> subjects.put("outbound connector '" + c.scope().connector() + "'", new Located(c.origin(), c.path())));
    rules.forEach(r -> subjects.put("rule '" + r.rule().name() + "'", r.at()));

    RoutingConfig routing = new RoutingConfig(new AcceptedDomains(accepted), new RemoteDomains(remote),
        connectors.stream().map(BoundConnector::scope).toList(), rules.stream().map(BoundRule::rule).toList());
    List<RoutingProblem> found = new ArrayList<>(routing.ruleEngine().problems());
    found.addAll(routing.remoteDomains().problems());
    for (RoutingProblem p : found) {
      Located at = subjects.getOrDefault(p.subject(), new Located(relay.origin(), relay.path()));
      if (p.message().startsWith("routes via")) {
        String rule = p.subject();
        at = rules.stream().filter(r -> rule.equals("rule '" + r.rule().name() + "'"))
            .flatMap(r -> r.routeVia().stream()).findFirst().orElse(at);
      }
      relay.problems().add(at.origin(), at.path(), p.subject() + ": " + p.message(), hint(p));
    }
    return relay.problems().count() > before ? Optional.empty() : Optional.of(routing);
  }

  private static String hint(RoutingProblem p) {
    if (p.message().startsWith("routes via")) {
      return "name one of relay.outbound-connectors, or add a connector with rule-scoped = true";
    }
    if (p.message().startsWith("serves no recipient domain")) {
      return "add recipient-domains = [\"*\"] to make it the default route, or rule-scoped = true";
    }
    return "";
  }

  private interface Element {
    void bind(Section s, Located at);
  }

  private static void elements(Section relay, String key, Element element) {
    List<ConfigValue> values = relay.list(key).orElse(List.of());
    for (int i = 0; i < values.size(); i++) {
      String path = relay.pathOf(key) + "[" + i + "]";
      ConfigValue v = values.get(i);
      Section.of(v, path, relay.problems()).ifPresent(s -> element.bind(s, new Located(v.origin(), path)));
    }
  }

  private static Optional<DomainPattern> pattern(Section s) {
    return s.value("domain").flatMap(v -> s.text(v, s.pathOf("domain"))
        .flatMap(t -> Patterns.domain(t, v.origin(), s.pathOf("domain"), s.problems())));
  }
}
