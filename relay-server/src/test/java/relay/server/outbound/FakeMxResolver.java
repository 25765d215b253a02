package relay.server.outbound;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.Domain;

/**
 * A resolver for transport tests: answers set per domain (hosts may carry any port, so test
 * upstreams on port 0 can stand for MX hosts), NXDOMAIN for any other, and records every lookup.
 */
final class FakeMxResolver implements MxResolver {

  private final Map<Domain, MxAnswer> answers = new ConcurrentHashMap<>();
  final List<Domain> lookups = new CopyOnWriteArrayList<>();

  FakeMxResolver answer(String domain, MxAnswer answer) {
    answers.put(Domain.of(domain), answer);
    return this;
  }

  /** The domain's MX hosts in order: each a name and the loopback port its test upstream listens on. */
  FakeMxResolver hosts(String domain, Object... namesAndPorts) {
    List<MxHost> hosts = new java.util.ArrayList<>();
    for (int i = 0; i < namesAndPorts.length; i += 2) {
      hosts.add(new MxHost((String) namesAndPorts[i], new UpstreamHost("127.0.0.1", (Integer) namesAndPorts[i + 1])));
    }
    return answer(domain, new MxAnswer.Hosts(hosts));
  }

  @Override
  public MxAnswer resolve(Domain domain) {
    lookups.add(domain);
    return answers.getOrDefault(domain, new MxAnswer.NoSuchDomain(domain + ": no such domain (NXDOMAIN)"));
  }
}
