package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import relay.core.policy.ClientNetwork;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Location;
import relay.core.routing.rule.ValuePattern;

/**
 * Binds a rule's {@code conditions { ... }} or {@code exceptions { ... }} object: one key per
 * {@link Condition} kind, all of them optional, all of them required to match (an empty object
 * matches every message). The list of keys is documented in {@code relay-defaults.conf}.
 *
 * <p>Stateless; problems go to the section's collector.
 */
final class ConditionBinder {

  private final Set<String> inboundConnectors;

  /** @param inboundConnectors the inbound connector names the listeners define, to catch typos */
  ConditionBinder(Set<String> inboundConnectors) {
    this.inboundConnectors = Set.copyOf(inboundConnectors);
  }

  List<Condition> bind(Section s) {
    List<Condition> out = new ArrayList<>();
    patterns(s, "sender-address").ifPresent(p -> out.add(new Condition.SenderAddress(p)));
    patterns(s, "sender-domain").ifPresent(p -> out.add(new Condition.SenderDomain(p)));
    patterns(s, "recipient-address").ifPresent(p -> out.add(new Condition.RecipientAddress(p)));
    patterns(s, "recipient-domain").ifPresent(p -> out.add(new Condition.RecipientDomain(p)));
    s.choice("sender-location", Location.class).ifPresent(l -> out.add(new Condition.SenderLocation(l)));
    s.choice("recipient-location", Location.class).ifPresent(l -> out.add(new Condition.RecipientLocation(l)));
    networks(s).ifPresent(n -> out.add(new Condition.ClientIn(n)));
    names(s, "inbound-connector").ifPresent(names -> {
      names.stream().filter(n -> !inboundConnectors.contains(n)).forEach(n -> s.problem("inbound-connector",
          "no inbound connector is named '" + n + "'", "known: " + String.join(", ", inboundConnectors.stream().sorted().toList())));
      out.add(new Condition.InboundConnectorIn(names));
    });
    names(s, "authenticated-user").ifPresent(u -> out.add(new Condition.AuthenticatedAs(u)));
    s.section("header-contains").flatMap(h -> {
      h.require("name", "words");
      Optional<String> name = h.text("name");
      Optional<List<String>> words = nonEmpty(h, "words");
      h.finish();
      return name.flatMap(n -> words.map(w -> new Condition.HeaderContains(n, w)));
    }).ifPresent(out::add);
    s.section("header-matches").flatMap(h -> {
      h.require("name", "pattern");
      Optional<String> name = h.text("name");
      Optional<ValuePattern.Regex> regex = regex(h, "pattern");
      h.finish();
      return name.flatMap(n -> regex.map(r -> new Condition.HeaderMatches(n, r)));
    }).ifPresent(out::add);
    nonEmpty(s, "subject-contains").ifPresent(w -> out.add(new Condition.SubjectContains(w)));
    regex(s, "subject-matches").ifPresent(r -> out.add(new Condition.SubjectMatches(r)));
    s.bytes("size-over").ifPresent(b -> out.add(new Condition.SizeOver(b)));
    s.integer("recipient-count-over", 0, 1_000_000).ifPresent(n -> out.add(new Condition.RecipientCountOver(n)));
    s.finish();
    return out;
  }

  private static Optional<List<String>> nonEmpty(Section s, String key) {
    return s.texts(key).flatMap(values -> {
      if (values.isEmpty()) {
        s.problem(key, "must name at least one value", "remove the key to leave the condition out");
        return Optional.empty();
      }
      return Optional.of(values);
    });
  }

  private static Optional<Set<String>> names(Section s, String key) {
    return nonEmpty(s, key).map(LinkedHashSet::new);
  }

  private static Optional<List<ValuePattern>> patterns(Section s, String key) {
    return s.list(key).flatMap(values -> {
      if (values.isEmpty()) {
        s.problem(key, "must name at least one value", "remove the key to leave the condition out");
        return Optional.empty();
      }
      List<ValuePattern> out = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        String at = s.pathOf(key) + "[" + i + "]";
        ConfigValue v = values.get(i);
        s.text(v, at).flatMap(t -> Patterns.value(t, v.origin(), at, s.problems())).ifPresent(out::add);
      }
      return out.size() == values.size() ? Optional.of(out) : Optional.empty();
    });
  }

  private static Optional<List<ClientNetwork>> networks(Section s) {
    return s.list("client-networks").flatMap(values -> {
      if (values.isEmpty()) {
        s.problem("client-networks", "must name at least one network", "e.g. [\"192.168.1.0/24\"]");
        return Optional.empty();
      }
      List<ClientNetwork> out = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        String at = s.pathOf("client-networks") + "[" + i + "]";
        ConfigValue v = values.get(i);
        s.text(v, at).flatMap(t -> Cidr.parse(t, v.origin(), at, s.problems())).ifPresent(out::add);
      }
      return out.size() == values.size() ? Optional.of(out) : Optional.empty();
    });
  }

  private static Optional<ValuePattern.Regex> regex(Section s, String key) {
    return s.value(key).flatMap(v -> s.text(v, s.pathOf(key)).flatMap(t -> Patterns.regex(t, v.origin(), s.pathOf(key), s.problems())));
  }
}
