package relay.server.admin;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Another Relay node of the same cluster, as its admin API is reached.
 *
 * @param name the node's name (its {@code cluster.node-name})
 * @param admin the base of its admin endpoint, e.g. {@code https://relay-b.contoso.local:9025/};
 *     empty when the node does not say where it is (it is then listed as not reachable)
 */
public record ClusterPeer(String name, Optional<URI> admin) {

  public ClusterPeer {
    Objects.requireNonNull(name, "name");
    admin = admin.map(a -> a.toString().endsWith("/") ? a : URI.create(a + "/"));
  }

  /** A node at {@code admin}. */
  public ClusterPeer(String name, URI admin) {
    this(name, Optional.of(admin));
  }
}
