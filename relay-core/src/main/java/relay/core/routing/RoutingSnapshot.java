package relay.core.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import relay.core.envelope.Domain;
import relay.core.policy.InboundConnector;
import relay.core.routing.rule.RuleEngine;

/**
 * The routing configuration a session works with, fixed when the session connects: the rule engine
 * (with its router and accepted domains), the remote-domain settings, and the largest message each
 * outbound connector can carry where it has such a limit (a Microsoft Graph connector's request
 * cap). A hot reload builds a new
 * snapshot; sessions already connected keep theirs to the end, so a reload never changes a
 * transaction half-way.
 *
 * <p>Immutable and thread-safe.
 */
public record RoutingSnapshot(RuleEngine rules, RemoteDomains remoteDomains, Map<String, Long> connectorSizeLimits) {

  public RoutingSnapshot {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(remoteDomains, "remoteDomains");
    connectorSizeLimits = Map.copyOf(connectorSizeLimits);
  }

  /** No connector with a size limit of its own. */
  public RoutingSnapshot(RuleEngine rules, RemoteDomains remoteDomains) {
    this(rules, remoteDomains, Map.of());
  }

  /** The largest message (bytes, as received) the named outbound connector can carry; empty for no limit. */
  public OptionalLong connectorSizeLimit(String connector) {
    Long limit = connectorSizeLimits.get(connector);
    return limit == null ? OptionalLong.empty() : OptionalLong.of(limit);
  }

  /**
   * Every recipient through one connector, no accepted domains, no rules, no remote-domain limits:
   * the behaviour from before routing existed (relay rights then come from the inbound connector).
   */
  public static RoutingSnapshot single(String connector) {
    Router router = new Router(List.of(ConnectorScope.byDomain(connector, "*")));
    return new RoutingSnapshot(new RuleEngine(List.of(), router, AcceptedDomains.NONE), new RemoteDomains(List.of()));
  }

  /**
   * Relay rights at RCPT time: a recipient in an accepted domain may be sent to by any client an
   * inbound connector admitted; any other recipient only through a connector that may relay to it.
   */
  public boolean mayReceive(InboundConnector connector, Domain recipientDomain) {
    return rules.acceptedDomains().isInside(recipientDomain) || connector.allowsRecipientDomain(recipientDomain);
  }

  /** The remote-domain settings for a recipient domain outside the organisation; empty inside it. */
  public Optional<RemoteDomain> remoteSettings(Domain domain) {
    return rules.acceptedDomains().isInside(domain) ? Optional.empty() : Optional.of(remoteDomains.settingsFor(domain));
  }
}
