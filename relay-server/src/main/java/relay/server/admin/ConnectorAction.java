package relay.server.admin;

/** What an operator can do to a connector. */
public enum ConnectorAction {
  /** Start no more attempts (those under way finish); mail keeps queueing. */
  SUSPEND,
  /** Deliver again. */
  RESUME,
  /** Make every waiting message due now (held mail stays held). */
  RETRY
}
