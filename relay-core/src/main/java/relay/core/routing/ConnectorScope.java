package relay.core.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which recipients an outbound connector serves: the recipient-domain patterns it is chosen for, or
 * "rule-scoped" (like Exchange's {@code IsTransportRuleScoped}): used only when a mail-flow rule
 * routes a recipient to it, never by domain.
 *
 * <p>Invariant: name non-blank; patterns an immutable copy. A rule-scoped connector's patterns are
 * ignored for selection ({@link Router#problems()} reports them, since they suggest a mistake).
 * Immutable and thread-safe.
 */
public record ConnectorScope(String connector, List<DomainPattern> recipientDomains, boolean ruleScoped) {

  public ConnectorScope {
    Objects.requireNonNull(connector, "connector");
    if (connector.isBlank()) {
      throw new IllegalArgumentException("connector name is blank");
    }
    recipientDomains = List.copyOf(recipientDomains);
  }

  /** A connector chosen by recipient domain, e.g. {@code byDomain("partner", "partner.example")}. */
  public static ConnectorScope byDomain(String connector, String... patterns) {
    return new ConnectorScope(
        connector, Arrays.stream(patterns).map(DomainPattern::parse).toList(), false);
  }

  /** A connector used only when a rule routes to it. */
  public static ConnectorScope ruleScoped(String connector) {
    return new ConnectorScope(connector, List.of(), true);
  }
}
