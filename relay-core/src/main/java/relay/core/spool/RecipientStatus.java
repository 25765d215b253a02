package relay.core.spool;

/** Where one recipient of a queued message stands. Only PENDING recipients are tried again. */
public enum RecipientStatus {
  PENDING,
  DELIVERED,
  FAILED
}
