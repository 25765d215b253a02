package relay.core.routing.rule;

import java.util.List;
import java.util.Optional;

/**
 * Every rule's decision in one evaluation, in the order the rules ran: the record for the message's
 * tracking log and, printed line by line, the explanation {@code relay route} gives.
 *
 * <p>Immutable and thread-safe.
 */
public record DecisionTrace(List<RuleDecision> decisions) {

  /** No rule decided anything: for what is refused before the rules run (relay rights, limits). */
  public static final DecisionTrace NONE = new DecisionTrace(List.of());

  public DecisionTrace {
    decisions = List.copyOf(decisions);
  }

  /** The decisions of the rules that matched (enforced or in test mode): what hit counters count. */
  public List<RuleDecision> hits() {
    return decisions.stream().filter(RuleDecision::hit).toList();
  }

  /** The decision about one rule, by name. */
  public Optional<RuleDecision> decision(String rule) {
    return decisions.stream().filter(d -> d.rule().equals(rule)).findFirst();
  }

  /** One line per rule. */
  public List<String> lines() {
    return decisions.stream().map(RuleDecision::describe).toList();
  }
}
