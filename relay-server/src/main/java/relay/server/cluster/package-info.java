/**
 * Several Relay nodes as one: the Redis (or Valkey) adapters behind the shared lane limits
 * ({@link relay.core.limits.SharedLimits}), connector suspensions made on any node, and the list of
 * live nodes. Built only when the configuration has a {@code cluster} section ({@link
 * relay.server.cluster.ClusterNode}); docs/cluster.md and ADR 0008 tell the design.
 */
package relay.server.cluster;
