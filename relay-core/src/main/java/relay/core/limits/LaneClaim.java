package relay.core.limits;

import java.util.Objects;
import java.util.Optional;
import relay.core.connector.Pacing;

/**
 * What one delivery attempt asks of one ready lane (a destination domain or a mailbox), and what
 * that lane allows: the unit a shared store decides on.
 *
 * <p>Immutable.
 *
 * @param lane the lane's key within its connector (a domain or a mailbox, lower case)
 * @param transactions SMTP transactions the attempt sends through the lane (a message split by
 *     recipient count costs one each)
 * @param recipients recipients the attempt sends through the lane
 * @param maxAtOnce most attempts under way in this lane at once, over every node
 * @param pacing the lane's rate limits and throttle pause; empty for a lane without a pace
 */
public record LaneClaim(String lane, int transactions, int recipients, int maxAtOnce, Optional<Pacing> pacing) {

  public LaneClaim {
    Objects.requireNonNull(lane, "lane");
    Objects.requireNonNull(pacing, "pacing");
    if (transactions < 1 || recipients < 1 || maxAtOnce < 1) {
      throw new IllegalArgumentException("a claim is at least one transaction, one recipient and one attempt at once");
    }
  }
}
