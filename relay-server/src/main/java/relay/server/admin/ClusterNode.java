package relay.server.admin;

import java.net.URI;
import java.util.Objects;

/**
 * Another Relay node of the same cluster, as its admin API is reached.
 *
 * @param name the node's name (its {@code cluster.node-name})
 * @param admin the base of its admin endpoint, e.g. {@code https://relay-b.contoso.local:9025/}
 */
public record ClusterNode(String name, URI admin) {

  public ClusterNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(admin, "admin");
    if (!admin.toString().endsWith("/")) {
      admin = URI.create(admin + "/");
    }
  }
}
