package relay.server.main;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.schedule.DeliveryScheduler;

/**
 * Makes this node's connectors follow the cluster's record of suspended connectors, read by the
 * cluster ticker: a connector listed there is suspended here (whoever suspended it, on whichever
 * node, and also a connector that appears later, after a reload); one that left the record since
 * the last reading is resumed here. Only a change of the record resumes, so a suspension made on
 * this node while the store was unreachable stays until an operator resumes it.
 *
 * <p>Threading: called by the cluster ticker only (one thread).
 */
final class SuspensionFollower implements java.util.function.Consumer<Map<String, String>> {

  private static final Logger LOG = LoggerFactory.getLogger(SuspensionFollower.class);

  private final Supplier<List<OutboundLanes.Lane>> lanes;
  private Set<String> lastSeen = Set.of();

  SuspensionFollower(Supplier<List<OutboundLanes.Lane>> lanes) {
    this.lanes = lanes;
  }

  @Override
  public void accept(Map<String, String> suspended) {
    for (OutboundLanes.Lane lane : lanes.get()) {
      String name = lane.connector().name();
      DeliveryScheduler scheduler = lane.scheduler();
      if (suspended.containsKey(name) && !scheduler.isSuspended()) {
        LOG.info("connector '{}': suspended on every node (by {})", name, suspended.get(name));
        scheduler.suspend();
      } else if (!suspended.containsKey(name) && lastSeen.contains(name) && scheduler.isSuspended()) {
        LOG.info("connector '{}': resumed on every node", name);
        scheduler.resume();
      }
    }
    lastSeen = Set.copyOf(suspended.keySet());
  }
}
