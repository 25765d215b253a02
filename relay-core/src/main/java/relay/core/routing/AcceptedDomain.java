package relay.core.routing;

import java.util.Objects;

/**
 * One domain the organisation accepts mail for.
 *
 * <p>Invariant: both parts are present. Immutable and thread-safe.
 */
public record AcceptedDomain(DomainPattern pattern, AcceptedDomainType type) {

  public AcceptedDomain {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(type, "type");
  }

  /** Shorthand for configuration and tests: {@code AcceptedDomain.of("*.contoso.com", AUTHORITATIVE)}. */
  public static AcceptedDomain of(String pattern, AcceptedDomainType type) {
    return new AcceptedDomain(DomainPattern.parse(pattern), type);
  }
}
