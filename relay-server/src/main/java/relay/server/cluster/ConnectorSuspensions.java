package relay.server.cluster;

import io.lettuce.core.RedisException;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connector suspensions that an operator made on any node, kept in one hash of the store
 * (connector -> who and when). Writing is done by the admin action on the node where the operator
 * acted; every node reads the hash on each tick and suspends or resumes its own schedulers to
 * match (the hash is the truth whenever it can be read), and the acquire script refuses turns on a
 * suspended connector at once.
 *
 * <p>Threading: safe for concurrent use; calls block their (virtual or admin) thread up to the
 * store's command timeout.
 */
public final class ConnectorSuspensions {

  private final StoreConnection connection;
  private final StoreHealth health;
  private final StoreKeys keys;
  private final String node;
  private final InstantSource clock;
  // Counts this node's publications, so that a reading taken before one is not applied after it.
  private final AtomicLong published = new AtomicLong();

  ConnectorSuspensions(StoreConnection connection, StoreHealth health, StoreKeys keys, String node, InstantSource clock) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.health = Objects.requireNonNull(health, "health");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.node = Objects.requireNonNull(node, "node");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records an operator's suspension ({@code suspended}) or resumption of a connector for every node.
   *
   * @return false when the store could not be reached (the change then holds on this node only,
   *     until the store answers again and this node follows the cluster's record)
   */
  public boolean publish(String connector, boolean suspended) {
    published.incrementAndGet();
    long call = health.calling();
    try {
      if (suspended) {
        connection.commands().hset(keys.suspended(), connector, "node " + node + " at " + clock.instant());
      } else {
        connection.commands().hdel(keys.suspended(), connector);
      }
      health.up(call);
      return true;
    } catch (RedisException e) {
      health.down(e);
      return false;
    }
  }

  /**
   * Every suspended connector with who suspended it; empty when the store cannot be asked, or when
   * this node published a change while reading (the reading may predate it: the next one will not).
   */
  Optional<Map<String, String>> read() {
    long before = published.get();
    long call = health.calling();
    try {
      Map<String, String> all = connection.commands().hgetall(keys.suspended());
      health.up(call);
      return published.get() == before ? Optional.of(all) : Optional.empty();
    } catch (RedisException e) {
      health.down(e);
      return Optional.empty();
    }
  }
}
