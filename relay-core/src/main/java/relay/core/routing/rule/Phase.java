package relay.core.routing.rule;

/**
 * When a rule can be decided. {@code ENVELOPE} rules need only what is known by RCPT time (sender,
 * recipients, client, inbound connector, authenticated user, recipient count), so their rejections
 * happen in-session per recipient. {@code MESSAGE} rules need the header section or the size and
 * are decided at the end of DATA, before the 250.
 */
public enum Phase {
  ENVELOPE,
  MESSAGE
}
