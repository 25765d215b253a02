package relay.config.model;

import java.util.Objects;
import relay.core.connector.OutboundConnector;
import relay.core.schedule.RetrySchedule;

/**
 * How accepted mail leaves Relay. One outbound connector for now; routing between several comes
 * later and will replace the single {@code connector} with a list plus rules.
 *
 * @param connector where every message goes
 * @param retry when transiently failed recipients are tried again, and for how long
 */
public record DeliveryConfig(OutboundConnector connector, RetrySchedule retry) {

  public DeliveryConfig {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(retry, "retry");
  }
}
