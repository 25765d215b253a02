package relay.server.cluster;

import java.util.Objects;

/**
 * Every Redis key Relay uses, in one place, all under the configured prefix so that several
 * clusters (or other applications) can share one Redis. Lane keys name the connector and the lane
 * (a domain or a mailbox), each a few small sorted sets and strings (docs/cluster.md lists them).
 *
 * <p>Immutable.
 */
record StoreKeys(String prefix) {

  StoreKeys {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** The five keys of one lane, in the order the acquire script takes them. */
  String[] lane(String connector, String lane) {
    String base = prefix + "lane:" + connector + ":" + lane + ":";
    return new String[] {base + "leases", base + "msgs", base + "rcpts", base + "rcptsum", base + "pause"};
  }

  /** Hash: connector name -> who suspended it and when. */
  String suspended() {
    return prefix + "suspended";
  }

  /** Sorted set: node name -> its last heartbeat (ms). */
  String nodes() {
    return prefix + "nodes";
  }

  /** Hash of one node: name, admin URL, started-at, heartbeat. */
  String node(String name) {
    return prefix + "node:" + name;
  }
}
