package relay.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import relay.server.admin.ClusterDirectory;
import relay.server.admin.ClusterPeer;

/**
 * The cluster's membership: each node writes a hash of itself (name, admin URL, started-at, last
 * heartbeat) whose key expires after the lease time to live unless refreshed, and a score in one
 * sorted set of node names by heartbeat; the live nodes are those that beat within the time to live.
 * The directory behind the admin API's cluster-wide queue and trace views.
 *
 * <p>Threading: safe for concurrent use; calls block their (virtual) thread up to the store's
 * command timeout.
 */
public final class ClusterMembers implements ClusterDirectory {

  private final StoreConnection connection;
  private final StoreHealth health;
  private final StoreKeys keys;
  private final String node;
  private final Optional<URI> adminUrl;
  private final Duration ttl;
  private final InstantSource clock;
  private final Instant startedAt;

  ClusterMembers(StoreConnection connection, StoreHealth health, StoreKeys keys, String node, Optional<URI> adminUrl,
      Duration ttl, InstantSource clock) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.health = Objects.requireNonNull(health, "health");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.node = Objects.requireNonNull(node, "node");
    this.adminUrl = Objects.requireNonNull(adminUrl, "adminUrl");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startedAt = clock.instant();
  }

  /** This node's name. */
  @Override
  public String self() {
    return node;
  }

  /**
   * The other live nodes, as the admin API's cluster views reach them.
   *
   * @throws RedisException when the store cannot be asked (the views then say so)
   */
  @Override
  public List<ClusterPeer> peers() {
    return live().stream().filter(m -> !m.name().equals(node))
        .map(m -> new ClusterPeer(m.name(), m.adminUrl())).toList();
  }

  /** Says this node is alive; called by the node's ticker. */
  void heartbeat() {
    long now = clock.millis();
    long call = health.calling();
    try {
      RedisCommands<String, String> redis = connection.commands();
      String key = keys.node(node);
      redis.hset(key, Map.of("name", node, "admin-url", adminUrl.map(URI::toString).orElse(""),
          "started-at", Long.toString(startedAt.toEpochMilli()), "heartbeat", Long.toString(now)));
      redis.pexpire(key, ttl.toMillis());
      redis.zadd(keys.nodes(), now, node);
      // Forget nodes that stopped beating long ago, so the set does not grow with every name ever used.
      redis.zremrangebyscore(keys.nodes(), io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, now - 10.0 * ttl.toMillis()));
      health.up(call);
    } catch (RedisException e) {
      health.down(e);
    }
  }

  /**
   * The nodes that beat within the time to live, this one included, by name.
   *
   * @throws RedisException when the store cannot be asked
   */
  public List<ClusterMember> live() {
    long now = clock.millis();
    RedisCommands<String, String> redis = connection.commands();
    List<String> names = redis.zrangebyscore(keys.nodes(),
        io.lettuce.core.Range.create((double) now - ttl.toMillis(), Double.POSITIVE_INFINITY));
    List<ClusterMember> members = new ArrayList<>(names.size());
    for (String name : names.stream().sorted().toList()) {
      Map<String, String> h = redis.hgetall(keys.node(name));
      if (h.isEmpty()) {
        continue; // expired between the two reads
      }
      String url = h.getOrDefault("admin-url", "");
      members.add(new ClusterMember(name, url.isEmpty() ? Optional.empty() : Optional.of(URI.create(url)),
          Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("started-at", "0"))),
          Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("heartbeat", "0")))));
    }
    return members;
  }

  /** Takes this node off the list at a clean shutdown (a dead node drops off within the time to live). */
  void leave() {
    try {
      RedisCommands<String, String> redis = connection.commands();
      redis.del(keys.node(node));
      redis.zrem(keys.nodes(), node);
    } catch (RedisException e) {
      // it drops off by itself
    }
  }
}
