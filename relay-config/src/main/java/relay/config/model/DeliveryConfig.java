package relay.config.model;

import java.util.Objects;
import relay.core.dsn.DsnPolicy;
import relay.core.schedule.RetrySchedule;

/**
 * How delivery is retried. The outbound connectors themselves are in
 * {@link RelayConfig#outboundConnectors()} and which recipient takes which is in
 * {@link RelayConfig#routing()}.
 *
 * @param retry when transiently failed recipients are tried again, and for how long
 * @param dsn whether, to whom and when delivery status notifications are sent
 */
public record DeliveryConfig(RetrySchedule retry, DsnPolicy dsn) {

  public DeliveryConfig {
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(dsn, "dsn");
  }

  /** Delivery with the default notification policy. */
  public DeliveryConfig(RetrySchedule retry) {
    this(retry, DsnPolicy.DEFAULTS);
  }
}
