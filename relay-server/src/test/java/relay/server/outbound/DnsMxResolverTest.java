package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.Domain;

/** The dnsjava resolver against real DNS messages from {@link TinyDns} over UDP on loopback. */
class DnsMxResolverTest {

  private final TinyDns dns;

  DnsMxResolverTest() throws Exception {
    dns = new TinyDns();
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
  }

  private MxAnswer resolve(String domain) throws InterruptedException {
    return new DnsMxResolver(List.of(dns.address()), Duration.ofSeconds(2), 2525, new SecureRandom())
        .resolve(Domain.of(domain));
  }

  @Test
  void mxHostsComeInPreferenceOrderEachWithItsAddressesIpv4First() throws Exception {
    dns.mx("example.test", 20, "backup.example.test").mx("example.test", 10, "primary.example.test")
        .a("primary.example.test", "192.0.2.1").aaaa("primary.example.test", "2001:db8::1")
        .a("backup.example.test", "192.0.2.2");

    assertThat(resolve("example.test")).isEqualTo(new MxAnswer.Hosts(List.of(
        new MxHost("primary.example.test", new UpstreamHost("192.0.2.1", 2525)),
        new MxHost("primary.example.test", new UpstreamHost("2001:db8:0:0:0:0:0:1", 2525)),
        new MxHost("backup.example.test", new UpstreamHost("192.0.2.2", 2525)))));
  }

  @Test
  void equalPreferencesAreShuffledSoBothComeFirstSometimes() throws Exception {
    dns.mx("example.test", 10, "a.example.test").mx("example.test", 10, "b.example.test")
        .a("a.example.test", "192.0.2.1").a("b.example.test", "192.0.2.2");
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 40 && firsts.size() < 2; i++) {
      MxAnswer.Hosts hosts = (MxAnswer.Hosts) resolve("example.test");
      assertThat(hosts.hosts()).extracting(MxHost::name).containsExactlyInAnyOrder("a.example.test", "b.example.test");
      firsts.add(hosts.hosts().getFirst().name());
    }
    assertThat(firsts).containsExactlyInAnyOrder("a.example.test", "b.example.test");
  }

  @Test
  void domainWithoutMxIsItsOwnMailServerByItsAddressRecords() throws Exception {
    dns.a("plain.test", "192.0.2.9");

    assertThat(resolve("plain.test"))
        .isEqualTo(new MxAnswer.Hosts(List.of(new MxHost("plain.test", new UpstreamHost("192.0.2.9", 2525)))));
  }

  @Test
  void nullMxMeansTheDomainAcceptsNoMail() throws Exception {
    dns.mx("nomail.test", 0, ".");

    assertThat(resolve("nomail.test")).isEqualTo(new MxAnswer.NullMx());
  }

  @Test
  void nonexistentDomainIsPermanent() throws Exception {
    assertThat(resolve("missing.test")).isInstanceOf(MxAnswer.NoSuchDomain.class)
        .extracting(a -> ((MxAnswer.NoSuchDomain) a).reason()).asString().contains("NXDOMAIN");
  }

  @Test
  void mxHostsWithoutAddressesArePermanent() throws Exception {
    dns.mx("dangling.test", 10, "gone.dangling.test");

    assertThat(resolve("dangling.test")).isInstanceOf(MxAnswer.NoSuchDomain.class);
  }

  @Test
  void serverFailureIsTransient() throws Exception {
    dns.serverFailure("broken.test");

    assertThat(resolve("broken.test")).isInstanceOf(MxAnswer.LookupFailed.class)
        .extracting(a -> ((MxAnswer.LookupFailed) a).reason()).asString().contains("SERVFAIL");
  }

  @Test
  void unansweredQueryTimesOutAsTransient() throws Exception {
    dns.silent("slow.test");

    MxAnswer answer = new DnsMxResolver(List.of(dns.address()), Duration.ofMillis(300), 25, new SecureRandom())
        .resolve(Domain.of("slow.test"));

    assertThat(answer).isInstanceOf(MxAnswer.LookupFailed.class);
  }

  @Test
  void failedLookupOfThePreferredMxHostLeavesTheOthers() throws Exception {
    dns.mx("half.test", 10, "sick.half.test").mx("half.test", 20, "well.half.test")
        .serverFailure("sick.half.test").a("well.half.test", "192.0.2.3");

    assertThat(resolve("half.test"))
        .isEqualTo(new MxAnswer.Hosts(List.of(new MxHost("well.half.test", new UpstreamHost("192.0.2.3", 2525)))));
  }

  @Test
  void addressLiteralNeedsNoDns() throws Exception {
    assertThat(resolve("[192.0.2.44]"))
        .isEqualTo(new MxAnswer.Hosts(List.of(new MxHost("192.0.2.44", new UpstreamHost("192.0.2.44", 2525)))));
    assertThat(dns.questions).isEmpty();
  }
}
