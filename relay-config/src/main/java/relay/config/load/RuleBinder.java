package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleMode;

/**
 * Binds {@code relay.rules}: each element a mail-flow rule with {@code name}, {@code priority},
 * {@code mode}, {@code stop-processing}, {@code conditions}, {@code exceptions} and {@code actions}.
 * Cross-rule checks (unique names and priorities, connectors that exist) are the rule engine's and
 * run afterwards over what this returns.
 *
 * <p>Not thread-safe; one per load.
 */
final class RuleBinder {

  private final ConditionBinder conditions;

  RuleBinder(Set<String> inboundConnectors) {
    this.conditions = new ConditionBinder(inboundConnectors);
  }

  /** The rules that bound without a problem, in file order. */
  List<BoundRule> bind(Section relay) {
    List<ConfigValue> elements = relay.list("rules").orElse(List.of());
    List<BoundRule> out = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      String path = relay.pathOf("rules") + "[" + i + "]";
      ConfigValue element = elements.get(i);
      Located at = new Located(element.origin(), path);
      Section.of(element, path, relay.problems()).flatMap(s -> rule(s, at)).ifPresent(out::add);
    }
    return out;
  }

  private Optional<BoundRule> rule(Section s, Located at) {
    int before = s.problems().count();
    s.require("name", "priority", "actions");
    String name = s.text("name").orElse("");
    int priority = s.integer("priority", 0, 1_000_000).orElse(0);
    RuleMode mode = s.choice("mode", RuleMode.class).orElse(RuleMode.ENFORCE);
    boolean stop = s.flag("stop-processing").orElse(false);
    List<Condition> when = s.section("conditions").map(conditions::bind).orElse(List.of());
    List<Condition> unless = s.section("exceptions").map(conditions::bind).orElse(List.of());
    Optional<Section> actionSection = s.section("actions");
    List<Action> actions = actionSection.map(ActionBinder::bind).orElse(List.of());
    Optional<Located> routeVia = actionSection.flatMap(a -> a.value("route-via")
        .map(v -> new Located(v.origin(), a.pathOf("route-via"))));
    s.finish();
    if (actionSection.isPresent() && actions.isEmpty() && s.problems().count() == before) {
      s.problem("actions", "a rule needs at least one action", "e.g. actions { route-via = \"partner\" }");
    }
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new BoundRule(new Rule(name, priority, mode, when, unless, actions, stop), at, routeVia));
  }
}
