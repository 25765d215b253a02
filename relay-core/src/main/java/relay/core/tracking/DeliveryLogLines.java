package relay.core.tracking;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observer that turns delivery events into {@code relay.log} lines: what needs an operator's
 * attention at {@code WARN} (failed, expired, held), deferrals at {@code INFO}, deliveries at {@code
 * DEBUG} only (each one is in {@code tracking.log}). The lines name the message, recipient,
 * connector and what the attempt learned, never a secret (an {@code AttemptReport} holds none).
 *
 * <p>Stateless and thread-safe.
 */
public final class DeliveryLogLines implements TrackingLog {

  // The scheduler's logger: operators filter relay.log by it.
  private static final Logger log = LoggerFactory.getLogger("relay.core.schedule.DeliveryAttempt");

  @Override
  public void record(TrackingEvent event) {
    if (!(event instanceof TrackingEvent.Delivery d)) {
      return;
    }
    String line = d.report().line();
    switch (d.result()) {
      case DELIVERED -> log.debug("message {}: {} delivered via '{}': {}", d.id(), d.recipient().address(), d.connector(), line);
      case DEFERRED -> log.info("message {}: {} deferred via '{}': {}", d.id(), d.recipient().address(), d.connector(), line);
      case FAILED -> log.warn("message {}: {} FAILED permanently via '{}': {}", d.id(), d.recipient().address(),
          d.connector(), line);
      case EXPIRED -> log.warn("message {}: {} FAILED via '{}', lifetime exceeded: {}", d.id(), d.recipient().address(),
          d.connector(), line);
      case HELD -> log.warn("message {}: {} HELD via '{}' (configuration problem; held until released): {}",
          d.id(), d.recipient().address(), d.connector(), line);
    }
  }
}
