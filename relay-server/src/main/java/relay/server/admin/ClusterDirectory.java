package relay.server.admin;

import java.util.List;

/**
 * Who is in the cluster, for the admin API's cluster-wide views: this node's name and the other
 * nodes that are alive now. Without a cluster, a node is a cluster of one.
 *
 * <p>Threading: implementations are safe to call from any thread; {@link #peers} may do I/O (the
 * shared store) and should answer within a few seconds.
 */
public interface ClusterDirectory {

  /** This node's name. */
  String self();

  /** The other live nodes, by name; none without a cluster. */
  List<ClusterPeer> peers();

  /** A node on its own. */
  static ClusterDirectory alone(String name) {
    return new ClusterDirectory() {
      @Override
      public String self() {
        return name;
      }

      @Override
      public List<ClusterPeer> peers() {
        return List.of();
      }
    };
  }
}
