package relay.core.tracking;

/**
 * Where message-tracking events go: one record per event in a message's life, for operators
 * answering "what happened to the scan I sent at ten?". Implementations (a JSON-lines file in
 * relay-server) must be thread-safe and must not block for long: they are called from sessions and
 * delivery threads.
 */
@FunctionalInterface
public interface TrackingLog {

  /** Records nothing; for tests and tools that do not track. */
  TrackingLog NONE = event -> {};

  void record(TrackingEvent event);
}
