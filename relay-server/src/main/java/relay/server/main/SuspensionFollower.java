package relay.server.main;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.schedule.DeliveryScheduler;

/**
 * Makes this node's connectors follow the cluster's record of suspended connectors, read by the
 * cluster ticker: a connector listed there is suspended here, whoever suspended it on whichever node
 * (also one that appears later, after a reload); one not listed is resumed. The record is the truth
 * whenever it can be read, so a suspension made on this node while the store was unreachable (the
 * admin answer says "on this node only") is undone when the store answers again.
 *
 * <p>Threading: called by the cluster ticker only (one thread).
 */
final class SuspensionFollower implements Consumer<Map<String, String>> {

  private static final Logger LOG = LoggerFactory.getLogger(SuspensionFollower.class);

  private final Supplier<List<OutboundLanes.Lane>> lanes;

  SuspensionFollower(Supplier<List<OutboundLanes.Lane>> lanes) {
    this.lanes = lanes;
  }

  @Override
  public void accept(Map<String, String> suspended) {
    for (OutboundLanes.Lane lane : lanes.get()) {
      String name = lane.connector().name();
      DeliveryScheduler scheduler = lane.scheduler();
      if (suspended.containsKey(name) && !scheduler.isSuspended()) {
        LOG.info("connector '{}': suspended as the cluster records (by {})", name, suspended.get(name));
        scheduler.suspend();
      } else if (!suspended.containsKey(name) && scheduler.isSuspended()) {
        LOG.info("connector '{}': resumed as the cluster records", name);
        scheduler.resume();
      }
    }
  }
}
