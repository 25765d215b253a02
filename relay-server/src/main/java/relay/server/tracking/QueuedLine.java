package relay.server.tracking;

/**
 * One line on its way to a {@link LineFile}: the text without its line break and, for a timestamped
 * file, the time it was accepted (else 0). Compared by identity where a marker is meant.
 */
record QueuedLine(long millis, String text) {}
