package relay.core.schedule;

import java.util.Objects;

/**
 * How much one connector's scheduler does at once, decided in one place by the wiring from the
 * connector's kind and settings.
 *
 * @param maxInFlight most delivery attempts under way at once over the whole connector
 * @param window most messages held in memory, waiting or in flight; the rest wait on disk
 * @param pauseWhenUnreachable whether an upstream that cannot be reached at all pauses the whole
 *     connector (true for a connector with one upstream, a smart host or Microsoft 365; false for MX
 *     delivery, where one dead destination says nothing about the others)
 * @param lanes the ready lanes below the connector (per destination domain, per mailbox) and their limits
 */
public record LaneLimits(int maxInFlight, int window, boolean pauseWhenUnreachable, LaneRule lanes) {

  public LaneLimits {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1");
    }
    Objects.requireNonNull(lanes, "lanes");
  }

  /** Limits with no lanes below the connector. */
  public LaneLimits(int maxInFlight, int window, boolean pauseWhenUnreachable) {
    this(maxInFlight, window, pauseWhenUnreachable, new LaneRule.Connector());
  }
}
