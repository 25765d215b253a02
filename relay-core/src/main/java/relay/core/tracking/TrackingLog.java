package relay.core.tracking;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observation port: where the events in a message's life go. The wiring hands one instance to
 * sessions, schedulers and the notification outbox and fans it out ({@link #all}) to everything
 * that watches: the JSON-lines {@code tracking.log} in relay-server (for operators answering "what
 * happened to the scan I sent at ten?"), the metrics ({@code relay.core.metrics.TrackedMetrics}) and
 * {@code relay.log} ({@link DeliveryLogLines}). Producers record an event once and never count or
 * log it themselves.
 *
 * <p>Implementations must be thread-safe and must not block for long: they are called from sessions
 * and delivery threads.
 */
@FunctionalInterface
public interface TrackingLog {

  /** Records nothing; for tests and tools that do not track. */
  TrackingLog NONE = event -> {};

  void record(TrackingEvent event);

  /**
   * One port feeding every observer in turn; an observer that throws is logged and does not keep the
   * event from the others (or fail the delivery that recorded it).
   */
  static TrackingLog all(List<TrackingLog> observers) {
    List<TrackingLog> each = List.copyOf(observers);
    Logger log = LoggerFactory.getLogger(TrackingLog.class);
    return event -> {
      for (TrackingLog observer : each) {
        try {
          observer.record(event);
        } catch (RuntimeException e) {
          log.error("an observer of {} failed", event.getClass().getSimpleName(), e);
        }
      }
    };
  }
}
