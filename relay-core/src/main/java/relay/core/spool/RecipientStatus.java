package relay.core.spool;

/**
 * Where one recipient of a queued message stands. Only PENDING recipients are tried again; HELD
 * ones wait (in the spool, not bounced, not retried) until an operator releases them.
 */
public enum RecipientStatus {
  PENDING,
  DELIVERED,
  FAILED,
  HELD
}
