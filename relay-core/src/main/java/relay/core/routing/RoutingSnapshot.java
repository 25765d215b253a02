package relay.core.routing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.Domain;
import relay.core.policy.InboundConnector;
import relay.core.routing.rule.RuleEngine;

/**
 * The routing configuration a session works with, fixed when the session connects: the rule engine
 * (with its router and accepted domains) and the remote-domain settings. A hot reload builds a new
 * snapshot; sessions already connected keep theirs to the end, so a reload never changes a
 * transaction half-way.
 *
 * <p>Immutable and thread-safe.
 */
public record RoutingSnapshot(RuleEngine rules, RemoteDomains remoteDomains) {

  public RoutingSnapshot {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(remoteDomains, "remoteDomains");
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
