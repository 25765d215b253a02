package relay.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The queue at a glance, like Postfix's {@code qshape} and Exchange's {@code Get-QueueDigest}: how
 * many messages each connector has where, and how old the queue's messages are. Immutable.
 *
 * @param total queued messages
 * @param connectors per connector (and for connectors no longer configured)
 * @param ages how many queued messages are how old: bucket label ({@code "<5m"}, {@code "5m-1h"},
 *     {@code "1h-4h"}, {@code "4h-1d"}, {@code "1d-2d"}, {@code ">2d"}) to count, youngest first
 */
public record QueueSummary(long total, List<ConnectorQueue> connectors, Map<String, Long> ages) {

  public QueueSummary {
    connectors = List.copyOf(connectors);
  }

  /**
   * @param connector the connector's name
   * @param configured false for mail waiting under a connector the configuration no longer has
   * @param active in the delivery window
   * @param deferred waiting on disk for a retry
   * @param held held or suspended, waiting for a release
   * @param oldest when its earliest-accepted message arrived (to about half a minute), or null when none waits
   */
  public record ConnectorQueue(String connector, boolean configured, long active, long deferred, long held, Instant oldest) {}
}
