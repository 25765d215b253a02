package relay.core.routing.rule;

/**
 * Whether a mail-flow rule acts. {@code TEST} evaluates the rule and records what it would have
 * done without changing anything (Exchange's "test without policy tips"); {@code DISABLED} skips it
 * and records that it was skipped.
 */
public enum RuleMode {
  ENFORCE,
  TEST,
  DISABLED
}
