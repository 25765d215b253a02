package relay.server.outbound;

import java.util.Objects;
import relay.core.connector.UpstreamHost;

/**
 * One place to try for a recipient domain: the mail server's DNS name (an MX target, or the domain
 * itself for an implicit MX) and one of its addresses with the SMTP port. The name is what a
 * certificate must carry under {@code tls = verify}; the endpoint is what is connected to, so that
 * the relay's own resolvers, not the system's, decide where mail goes. Immutable.
 *
 * @param name the server's host name, lower case, without a trailing dot
 * @param endpoint an IP address of that server and the port to connect to
 */
public record MxHost(String name, UpstreamHost endpoint) {

  public MxHost {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(endpoint, "endpoint");
    if (name.isBlank()) {
      throw new IllegalArgumentException("empty MX host name");
    }
  }

  @Override
  public String toString() {
    return name + "[" + endpoint + "]";
  }
}
