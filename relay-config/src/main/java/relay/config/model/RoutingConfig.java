package relay.config.model;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.Domain;
import relay.core.policy.InboundConnector;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.RemoteDomains;
import relay.core.routing.Router;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleEngine;

/**
 * Everything that decides where a message goes, as an Exchange administrator knows it: the accepted
 * domains (what is "inside"), the remote domains (what is allowed towards the outside), which
 * recipient domains each outbound connector serves, and the mail-flow rules.
 *
 * <p>Invariants: lists are immutable copies; {@code connectors} has one scope per outbound connector
 * of {@link RelayConfig#outboundConnectors()}, in the same order; the binder has already checked
 * {@link RuleEngine#problems()} is empty. Immutable and thread-safe; {@link #ruleEngine()} builds a
 * fresh engine each call, so a runtime snapshot should build it once and keep it.
 *
 * @param acceptedDomains the organisation's domains
 * @param remoteDomains settings per external domain; always holds a {@code *} entry
 * @param connectors the recipient domains each outbound connector serves, or rule-scoped
 * @param rules the mail-flow rules in file order (the engine orders them by priority)
 */
public record RoutingConfig(
    AcceptedDomains acceptedDomains, RemoteDomains remoteDomains, List<ConnectorScope> connectors, List<Rule> rules) {

  public RoutingConfig {
    Objects.requireNonNull(acceptedDomains, "acceptedDomains");
    Objects.requireNonNull(remoteDomains, "remoteDomains");
    connectors = List.copyOf(connectors);
    rules = List.copyOf(rules);
  }

  /** The router over the connector scopes. */
  public Router router() {
    return new Router(connectors);
  }

  /** The rule engine over these rules, router and accepted domains. */
  public RuleEngine ruleEngine() {
    return new RuleEngine(rules, router(), acceptedDomains);
  }

  /**
   * Relay rights at RCPT time: a recipient in an accepted domain may be sent to by any client an
   * inbound connector admitted; any other recipient only through a connector with {@code relay = true}
   * or one that lists the domain in its {@code recipient-domains}.
   */
  public boolean mayReceive(InboundConnector connector, Domain recipientDomain) {
    return acceptedDomains.isInside(recipientDomain) || connector.allowsRecipientDomain(recipientDomain);
  }
}
