package relay.server.outbound;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import relay.core.connector.UpstreamHost;

/**
 * The DNS resolver an operator configured (the {@code mx} connector's {@code resolvers}), shared by
 * delivery and by {@code relay check-dns} so both ask the same servers the same way: each server
 * with the timeout, one retry, or the system's resolvers when none is configured.
 */
public final class DnsResolvers {

  private DnsResolvers() {}

  /** A resolver over {@code servers} (IP literals with ports), or the system's when empty. */
  public static ExtendedResolver of(List<UpstreamHost> servers, Duration timeout) {
    ExtendedResolver extended;
    if (servers.isEmpty()) {
      extended = new ExtendedResolver();
    } else {
      List<Resolver> each = new ArrayList<>();
      for (UpstreamHost server : servers) {
        // an IP literal: the socket address takes it as it is, without a lookup
        SimpleResolver simple = new SimpleResolver(new InetSocketAddress(server.host(), server.port()));
        simple.setTimeout(timeout);
        each.add(simple);
      }
      extended = new ExtendedResolver(each);
    }
    extended.setTimeout(timeout);
    extended.setRetries(1);
    return extended;
  }
}
