package relay.core.routing.rule;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One mail-flow rule, as an Exchange transport rule: it matches when all its conditions match (no
 * condition: every message) and no exception does, then its actions apply to the recipients it
 * selected. Rules run in priority order, lower number first.
 *
 * <p>Invariant: name non-blank, priority non-negative, at least one action, lists immutable.
 * Immutable and thread-safe.
 *
 * @param stopProcessing when the rule acts, no later rule is evaluated for the message
 */
public record Rule(
    String name,
    int priority,
    RuleMode mode,
    List<Condition> conditions,
    List<Condition> exceptions,
    List<Action> actions,
    boolean stopProcessing) {

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a rule needs a name");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("rule '" + name + "': priority must not be negative");
    }
    conditions = List.copyOf(conditions);
    exceptions = List.copyOf(exceptions);
    actions = List.copyOf(actions);
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("rule '" + name + "' has no action");
    }
  }

  /**
   * {@link Phase#MESSAGE} when any condition or exception needs the header section or the size,
   * else {@link Phase#ENVELOPE}: the rule is then decided at RCPT time.
   */
  public Phase phase() {
    return Stream.concat(conditions.stream(), exceptions.stream())
            .anyMatch(c -> c.phase() == Phase.MESSAGE)
        ? Phase.MESSAGE
        : Phase.ENVELOPE;
  }
}
