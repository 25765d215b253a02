package relay.core.routing.rule;

/** What happened to one rule during one evaluation, as recorded in the {@link DecisionTrace}. */
public enum RuleOutcome {
  /** Conditions matched, no exception did, the actions were applied. */
  MATCHED,
  /** A condition did not match (or selected no recipient). */
  NOT_MATCHED,
  /** Conditions matched but exceptions excluded every selected recipient. */
  EXCEPTED,
  /** Test mode: the rule matched; the recorded actions would have been applied, nothing changed. */
  WOULD_MATCH,
  /** Disabled: not evaluated. */
  DISABLED,
  /** A message-phase rule met at RCPT time: decided at the end of DATA. */
  DEFERRED,
  /** Not evaluated because an earlier rule stopped processing or rejected the message. */
  NOT_REACHED
}
