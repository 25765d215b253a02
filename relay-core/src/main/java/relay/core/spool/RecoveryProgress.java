package relay.core.spool;

/**
 * How far the start-up scan of a spool has come.
 *
 * @param found intact messages handed to delivery so far
 * @param quarantined files moved to quarantine so far
 * @param finished true once the whole queue has been walked
 */
public record RecoveryProgress(long found, long quarantined, boolean finished) {}
