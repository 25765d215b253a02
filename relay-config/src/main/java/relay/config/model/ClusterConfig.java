package relay.config.model;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code relay.cluster} section: this node's place among several Relay nodes that share their
 * lane limits (sessions, messages per minute, recipients per day, throttle pauses, connector
 * suspensions) through one Redis or Valkey. Without it a relay is a single node, as always, and no
 * Redis client is made.
 *
 * <p>Invariants: node name and key prefix are non-empty and hold no white space; the lease time to
 * live is at least one second (leases are renewed at a third of it). Immutable.
 *
 * @param nodeName this node's name among the others (default: the machine's host name)
 * @param redis where the shared store is
 * @param keyPrefix the start of every key Relay writes, so that several clusters can share a Redis
 * @param leaseTtl how long a lease of a node that stopped renewing it (it died) keeps its lane: the
 *     bound on how long a dead node's sessions stay counted
 * @param adminUrl the URL at which other nodes (and operators) reach this node's admin API; empty
 *     when not advertised
 */
public record ClusterConfig(String nodeName, RedisEndpoint redis, String keyPrefix, Duration leaseTtl,
    Optional<URI> adminUrl) {

  /** The lease time to live when none is configured. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);
  /** The key prefix when none is configured. */
  public static final String DEFAULT_KEY_PREFIX = "relay:";

  public ClusterConfig {
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(adminUrl, "adminUrl");
    if (nodeName == null || nodeName.isBlank() || nodeName.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("a node name is one word: " + nodeName);
    }
    if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("a key prefix is one word: " + keyPrefix);
    }
    if (leaseTtl == null || leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("the lease time to live is at least 1 s: " + leaseTtl);
    }
  }
}
