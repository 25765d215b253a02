package relay.core.metrics;

import java.time.Duration;
import java.util.Objects;
import relay.core.dsn.DsnAction;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * The observer that counts what the tracking events say: each recipient's delivery attempt by
 * {@link AttemptResult}, the delay to final delivery, and queued notifications by action. Labels come
 * from enumerations only.
 *
 * <p>Stateless and thread-safe (the {@link RelayMetrics} it counts into is).
 */
public final class TrackedMetrics implements TrackingLog {

  private final RelayMetrics metrics;

  public TrackedMetrics(RelayMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public void record(TrackingEvent event) {
    switch (event) {
      case TrackingEvent.Delivery d -> {
        AttemptResult result = switch (d.result()) {
          case DELIVERED -> AttemptResult.DELIVERED;
          // An expired recipient's last attempt failed transiently like any deferral.
          case DEFERRED, EXPIRED -> AttemptResult.TRANSIENT;
          case FAILED -> AttemptResult.PERMANENT;
          case HELD -> AttemptResult.HELD;
        };
        metrics.deliveryAttempt(d.connector(), result);
        if (result == AttemptResult.DELIVERED) {
          metrics.deliveryDelay(d.connector(), Duration.between(d.receivedAt(), d.at()));
        }
      }
      case TrackingEvent.DsnQueued q -> {
        for (DsnAction action : DsnAction.values()) {
          if (action.fieldValue().equals(q.action())) {
            metrics.dsnQueued(action);
          }
        }
      }
      // The others are counted where they happen (a session counts its connections and replies).
      case TrackingEvent.Received r -> { }
      case TrackingEvent.Routed r -> { }
      case TrackingEvent.Discarded d -> { }
      case TrackingEvent.Rejected r -> { }
      case TrackingEvent.Held h -> { }
      case TrackingEvent.OperatorAction o -> { }
    }
  }
}
