package relay.config.model;

import java.util.Map;
import java.util.Objects;
import relay.core.dsn.DsnPolicy;
import relay.core.schedule.RetrySchedule;

/**
 * How delivery is retried. The outbound connectors themselves are in
 * {@link RelayConfig#outboundConnectors()} and which recipient takes which is in
 * {@link RelayConfig#routing()}.
 *
 * <p>Invariant: {@code connectorRetry} holds complete schedules (a connector's {@code retry} block
 * already merged over {@code retry}), keyed by connector name, only for connectors that have a block;
 * {@link #retryFor} gives every other connector the global schedule.
 *
 * @param retry when transiently failed recipients are tried again, and for how long, unless the
 *     connector has its own schedule
 * @param dsn whether, to whom and when delivery status notifications are sent
 * @param connectorRetry the connectors' own schedules, by connector name
 * @param activeWindow most messages per outbound connector held in memory (the rest wait on disk)
 */
public record DeliveryConfig(
    RetrySchedule retry, DsnPolicy dsn, Map<String, RetrySchedule> connectorRetry, int activeWindow) {

  /** The active window when none is configured. */
  public static final int DEFAULT_ACTIVE_WINDOW = 1_000;

  public DeliveryConfig {
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(dsn, "dsn");
    connectorRetry = Map.copyOf(connectorRetry);
    if (activeWindow < 1) {
      throw new IllegalArgumentException("active window must be at least 1");
    }
  }

  /** Delivery where every connector follows {@code retry}, with the default window. */
  public DeliveryConfig(RetrySchedule retry, DsnPolicy dsn) {
    this(retry, dsn, Map.of(), DEFAULT_ACTIVE_WINDOW);
  }

  /** The schedule the connector named {@code connector} retries on: its own, else the global one. */
  public RetrySchedule retryFor(String connector) {
    return connectorRetry.getOrDefault(connector, retry);
  }

  /** This delivery with {@code schedules} as the connectors' own schedules. */
  public DeliveryConfig withConnectorRetry(Map<String, RetrySchedule> schedules) {
    return new DeliveryConfig(retry, dsn, schedules, activeWindow);
  }
}
