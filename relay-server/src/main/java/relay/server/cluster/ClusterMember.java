package relay.server.cluster;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One live node of the cluster as the store lists it: what {@code relay queue summary --cluster}
 * needs to reach each node's admin API.
 *
 * <p>Immutable.
 *
 * @param name the node's configured name
 * @param adminUrl where its admin API is reached, when it advertises one
 * @param startedAt when the node (this run of it) started
 * @param heartbeat when it last said it was alive
 */
public record ClusterMember(String name, Optional<URI> adminUrl, Instant startedAt, Instant heartbeat) {

  public ClusterMember {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(adminUrl, "adminUrl");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(heartbeat, "heartbeat");
  }
}
