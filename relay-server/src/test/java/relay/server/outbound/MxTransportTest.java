package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.server.outbound.SmtpTransportTest.request;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/** MX delivery to SubEthaSMTP upstreams on loopback, with DNS answered by a fake or by {@link TinyDns}. */
class MxTransportTest {

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final FakeMxResolver dns = new FakeMxResolver();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void deliversToTheMostPreferredMxOnly() throws Exception {
    TestUpstream primary = track(TestUpstream.plain());
    TestUpstream backup = track(TestUpstream.plain());
    dns.hosts("example.test", "mx1.example.test", primary.port(), "mx2.example.test", backup.port());

    List<RecipientOutcome> outcomes = transport(TlsPolicy.of(TlsMode.OPPORTUNISTIC))
        .deliver(request(MailPath.parse("scanner@corp.test"), "a@example.test", "b@example.test"));

    assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(primary.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("a@example.test", "b@example.test"));
    assertThat(backup.messages).isEmpty();
  }

  @Test
  void failsOverToTheSecondMxWhenTheFirstRefusesConnections() throws Exception {
    TestUpstream backup = track(TestUpstream.plain());
    dns.hosts("example.test", "mx1.example.test", closedPort(), "mx2.example.test", backup.port());

    assertThat(transport(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).deliver(request(MailPath.parse("s@corp.test"), "a@example.test")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(backup.messages).hasSize(1);
  }

  @Test
  void failsOverToTheSecondMxWhenTheFirstGreetsWith421() throws Exception {
    TestUpstream down = track(TestUpstream.plain());
    down.down = true;
    TestUpstream backup = track(TestUpstream.plain());
    dns.hosts("example.test", "mx1.example.test", down.port(), "mx2.example.test", backup.port());

    assertThat(transport(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).deliver(request(MailPath.parse("s@corp.test"), "a@example.test")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(down.messages).isEmpty();
    assertThat(backup.messages).hasSize(1);
  }

  @Test
  void noUsableMxHostIsTransientAndNamesEachHost() throws Exception {
    dns.hosts("example.test", "mx1.example.test", closedPort(), "mx2.example.test", closedPort());

    assertThat(transport(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).deliver(request(MailPath.parse("s@corp.test"), "a@example.test")))
        .singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class)
        .satisfies(o -> assertThat(o.report()).isInstanceOfSatisfying(AttemptReport.Local.class, local -> {
          assertThat(local.cause()).isEqualTo(LocalCause.CONNECTION_FAILED);
          assertThat(local.reason()).contains("mx1.example.test").contains("mx2.example.test");
        }));
  }

  @Test
  void nullMxFailsPermanentlyAsNullMx() throws Exception {
    dns.answer("nomail.test", new MxAnswer.NullMx());

    assertThat(transport(TlsPolicy.NONE).deliver(request(MailPath.parse("s@corp.test"), "a@nomail.test")))
        .singleElement().isInstanceOf(RecipientOutcome.PermanentFailure.class)
        .satisfies(o -> assertThat(o.report()).isEqualTo(
            new AttemptReport.Local(LocalCause.NULL_MX, "nomail.test accepts no mail (null MX)")));
  }

  @Test
  void nonexistentDomainFailsPermanently() throws Exception {
    assertThat(transport(TlsPolicy.NONE).deliver(request(MailPath.parse("s@corp.test"), "a@missing.test")))
        .singleElement().isInstanceOf(RecipientOutcome.PermanentFailure.class)
        .satisfies(o -> assertThat(o.report()).isInstanceOfSatisfying(AttemptReport.Local.class, local -> {
          assertThat(local.cause()).isEqualTo(LocalCause.NO_SUCH_DOMAIN);
          assertThat(local.reason()).contains("NXDOMAIN");
          assertThat(local.hop()).isNull();
        }));
  }

  @Test
  void failedLookupIsTransient() throws Exception {
    dns.answer("broken.test", new MxAnswer.LookupFailed("broken.test: MX lookup failed: SERVFAIL"));

    assertThat(transport(TlsPolicy.NONE).deliver(request(MailPath.parse("s@corp.test"), "a@broken.test")))
        .singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class)
        .satisfies(o -> assertThat(o.report()).isEqualTo(
            new AttemptReport.Local(LocalCause.DNS_FAILED, "broken.test: MX lookup failed: SERVFAIL")));
  }

  @Test
  void twoDomainsInOneMessageAreTwoDeliveriesEachWithItsOwnRecipients() throws Exception {
    TestUpstream one = track(TestUpstream.plain());
    TestUpstream two = track(TestUpstream.plain());
    dns.hosts("one.test", "mx.one.test", one.port()).hosts("two.test", "mx.two.test", two.port());

    List<RecipientOutcome> outcomes = transport(TlsPolicy.NONE).deliver(request(MailPath.parse("s@corp.test"),
        "a@one.test", "x@two.test", "b@ONE.test", "gone@missing.test"));

    assertThat(outcomes).extracting(o -> o.recipient().address().address())
        .containsExactly("a@one.test", "x@two.test", "b@one.test", "gone@missing.test");
    assertThat(outcomes.subList(0, 3)).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(outcomes.get(3)).isInstanceOf(RecipientOutcome.PermanentFailure.class);
    assertThat(one.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("a@one.test", "b@one.test"));
    assertThat(two.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("x@two.test"));
  }

  @Test
  void opportunisticTlsIsUsedWhenOffered() throws Exception {
    TestPki pki = new TestPki("Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("mx.example.test")));
    dns.hosts("example.test", "mx.example.test", upstream.port());

    assertThat(transport(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).deliver(request(MailPath.parse("s@corp.test"), "a@example.test")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class)
        // The hop is the MX host by name, at the address connected to, with the session's TLS; the
        // certificate was taken unverified, so no name was verified.
        .satisfies(o -> assertThat(o.report().hop()).satisfies(hop -> {
          assertThat(hop.name()).isEqualTo("mx.example.test");
          assertThat(hop.address()).isEqualTo("127.0.0.1");
          assertThat(hop.tls().protocol()).startsWith("TLSv1.");
          assertThat(hop.tls().cipherSuite()).startsWith("TLS_");
          assertThat(hop.tls().verifiedName()).isNull();
        }));
    assertThat(upstream.messages).singleElement().satisfies(m -> assertThat(m.tls()).isTrue());
  }

  @Test
  void verifyChecksTheCertificateAgainstTheMxHostName() throws Exception {
    TestPki pki = new TestPki("Test CA");
    Path ca = pki.writeCaPem(dir);
    TestUpstream impostor = track(TestUpstream.withStartTls(pki.serverContext("mail.evil.test")));
    TestUpstream genuine = track(TestUpstream.withStartTls(pki.serverContext("mx2.example.test")));
    dns.hosts("example.test", "mx1.example.test", impostor.port(), "mx2.example.test", genuine.port());

    assertThat(transport(TlsPolicy.verify(List.of(), ca)).deliver(request(MailPath.parse("s@corp.test"), "a@example.test")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class)
        .satisfies(o -> assertThat(o.report().hop()).satisfies(hop -> {
          assertThat(hop.name()).isEqualTo("mx2.example.test");
          assertThat(hop.tls().verifiedName()).isEqualTo("mx2.example.test");
        }));
    assertThat(impostor.messages).isEmpty();
    assertThat(genuine.messages).hasSize(1);
  }

  @Test
  void connectionsToAnMxHostAreReusedAcrossMessages() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    dns.hosts("example.test", "mx.example.test", upstream.port());
    MxTransport transport = transport(TlsPolicy.NONE);

    transport.deliver(request(MailPath.parse("s@corp.test"), "a@example.test"));
    transport.deliver(request(MailPath.parse("s@corp.test"), "b@example.test"));

    assertThat(upstream.messages).hasSize(2);
    assertThat(upstream.sessions.get()).isEqualTo(1);
  }

  @Test
  void deliversThroughRealDnsRecordsAndFailsOverToTheNextMxAddress() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    TinyDns tiny = track(new TinyDns());
    // 127.0.0.2 is loopback too, but nothing listens there: the preferred MX refuses the connection.
    tiny.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test")
        .a("mx1.example.test", "127.0.0.2").a("mx2.example.test", "127.0.0.1").a("implicit.test", "127.0.0.1");
    OutboundConnector.Mx connector = connector(TlsPolicy.NONE, upstream.port());
    MxTransport transport = track(new MxTransport(connector,
        new DnsMxResolver(List.of(tiny.address()), Duration.ofSeconds(2), upstream.port(), new SecureRandom()),
        ReplyClassifier.standard(), new ProtocolLog()));

    List<RecipientOutcome> outcomes =
        transport.deliver(request(MailPath.parse("s@corp.test"), "a@example.test", "b@implicit.test"));

    assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(upstream.messages).extracting(TestUpstream.Received::recipients)
        .containsExactlyInAnyOrder(List.of("a@example.test"), List.of("b@implicit.test"));
  }

  private MxTransport transport(TlsPolicy tls) throws Exception {
    return track(new MxTransport(connector(tls, 25), dns, ReplyClassifier.standard(), new ProtocolLog()));
  }

  static OutboundConnector.Mx connector(TlsPolicy tls, int port) {
    return new OutboundConnector.Mx("mx", tls, "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), 8, 2,
        port, List.of(), Duration.ofSeconds(5));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
