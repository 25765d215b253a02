package relay.config.model;

import java.util.Objects;
import relay.core.schedule.RetrySchedule;

/**
 * How delivery is retried. The outbound connectors themselves are in
 * {@link RelayConfig#outboundConnectors()} and which recipient takes which is in
 * {@link RelayConfig#routing()}.
 *
 * @param retry when transiently failed recipients are tried again, and for how long
 */
public record DeliveryConfig(RetrySchedule retry) {

  public DeliveryConfig {
    Objects.requireNonNull(retry, "retry");
  }
}
