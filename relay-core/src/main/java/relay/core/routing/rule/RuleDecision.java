package relay.core.routing.rule;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import relay.core.envelope.MailPath;

/**
 * The outcome of one rule in one evaluation: which recipients it selected and which actions it took
 * (or, in test mode, would have taken).
 *
 * <p>Invariant: {@code recipients} and {@code actions} are empty unless the outcome is MATCHED or
 * WOULD_MATCH. Immutable and thread-safe.
 *
 * @param stoppedProcessing whether this rule ended the evaluation of later rules
 */
public record RuleDecision(
    String rule,
    int priority,
    RuleMode mode,
    Phase phase,
    RuleOutcome outcome,
    List<MailPath> recipients,
    List<Action> actions,
    boolean stoppedProcessing) {

  public RuleDecision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(outcome, "outcome");
    recipients = List.copyOf(recipients);
    actions = List.copyOf(actions);
  }

  static RuleDecision of(Rule rule, RuleOutcome outcome) {
    return new RuleDecision(
        rule.name(), rule.priority(), rule.mode(), rule.phase(), outcome, List.of(), List.of(), false);
  }

  /** True when the rule matched, in enforce or test mode: what the hit counters count. */
  public boolean hit() {
    return outcome == RuleOutcome.MATCHED || outcome == RuleOutcome.WOULD_MATCH;
  }

  /** One line for the tracking log and the {@code relay route} explanation. */
  public String describe() {
    StringBuilder out = new StringBuilder()
        .append('[').append(priority).append("] ").append(rule).append(": ")
        .append(outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    if (!recipients.isEmpty()) {
      out.append(" for ").append(recipients.stream().map(MailPath::toString).collect(Collectors.joining(", ")));
    }
    if (!actions.isEmpty()) {
      out.append(outcome == RuleOutcome.WOULD_MATCH ? "; would " : "; ")
          .append(actions.stream().map(Action::describe).collect(Collectors.joining(", ")));
    }
    if (stoppedProcessing) {
      out.append("; stop processing more rules");
    }
    return out.toString();
  }
}
