package relay.core.routing;

/**
 * How the organisation holds an accepted domain, as in Exchange. Both count as "inside the
 * organisation"; the difference matters to delivery: an authoritative domain's mailboxes all live
 * behind Relay's connectors, an internal-relay domain may also have recipients elsewhere.
 */
public enum AcceptedDomainType {
  AUTHORITATIVE,
  INTERNAL_RELAY
}
