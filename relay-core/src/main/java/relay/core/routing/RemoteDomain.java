package relay.core.routing;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the organisation allows towards one external domain, as Exchange's remote domains: automatic
 * replies ({@code Auto-Submitted: auto-replied}), automatic forwarding, delivery reports (DSNs) and
 * a maximum message size.
 *
 * <p>Invariant: a present maximum size is positive. Immutable and thread-safe.
 */
public record RemoteDomain(
    DomainPattern pattern,
    boolean allowAutoReplies,
    boolean allowAutoForwarding,
    boolean allowDeliveryReports,
    OptionalLong maxMessageSize) {

  /** The {@code *} entry used when the configuration has none: everything allowed, no size limit. */
  public static final RemoteDomain DEFAULT =
      new RemoteDomain(DomainPattern.ANY, true, true, true, OptionalLong.empty());

  public RemoteDomain {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(maxMessageSize, "maxMessageSize");
    if (maxMessageSize.isPresent() && maxMessageSize.getAsLong() <= 0) {
      throw new IllegalArgumentException("maximum message size must be positive");
    }
  }
}
