package relay.server.admin;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.UpstreamHop;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * Each connector's last delivery and last failure, for an operator asking "is this connector
 * working?": fed by the observation port like the tracking log and the metrics.
 *
 * <p>Memory: one entry per connector name ever seen (a configured, bounded set). Thread-safe.
 */
public final class ConnectorLedger implements TrackingLog {

  /**
   * A connector's latest outcomes.
   *
   * @param delivered when a recipient was last delivered, or null
   * @param deliveredVia the upstream host, address and TLS of that delivery, or null
   * @param failed when an attempt last failed (deferred, failed, held or expired), or null
   * @param failure what that failure said, or null
   */
  public record Last(Instant delivered, String deliveredVia, Instant failed, String failure) {
    static final Last NONE = new Last(null, null, null, null);
  }

  private final Map<String, Last> last = new ConcurrentHashMap<>();

  @Override
  public void record(TrackingEvent event) {
    if (!(event instanceof TrackingEvent.Delivery d) || d.connector() == null) {
      return;
    }
    last.compute(d.connector(), (name, was) -> {
      Last before = was == null ? Last.NONE : was;
      return d.result() == TrackingEvent.Result.DELIVERED
          ? new Last(d.at(), via(d.report()), before.failed(), before.failure())
          : new Last(before.delivered(), before.deliveredVia(), d.at(), d.report().line());
    });
  }

  /** The connector's latest outcomes, if it had any since the start. */
  public Optional<Last> of(String connector) {
    return Optional.ofNullable(last.get(connector));
  }

  private static String via(AttemptReport report) {
    UpstreamHop hop = report.hop();
    if (hop == null) {
      return null;
    }
    return hop.name() + " [" + hop.address() + "]" + (hop.tls() == null ? ", no TLS" : ", " + hop.tls().protocol());
  }
}
