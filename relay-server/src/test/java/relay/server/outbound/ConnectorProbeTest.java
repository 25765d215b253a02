package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.ClientCertificate;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.MailPath;
import relay.server.outbound.ProbeStep.Verdict;
import relay.server.testing.ScriptedUpstream;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * {@code relay test-connector} on smart-host and mx connectors against real upstreams on loopback:
 * each certificate case of {@link TlsMatrixTest}, a missing STARTTLS, a client certificate, a dead
 * first host and DNS; nothing is sent without {@code --send}, exactly one message with it.
 */
class ConnectorProbeTest {

  private static final MailPath FROM = MailPath.parse("printer@example.com");
  private static final MailPath TO = MailPath.parse("a@example.com");
  private static final Duration YEAR = Duration.ofDays(365);

  private static TestPki trusted;

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void pki() throws Exception {
    trusted = new TestPki("Relay Test CA");
  }

  @AfterAll
  static void noPki() {
    trusted = null;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void goodCertificateUnderVerifyPassesEveryStepAndNothingIsSent() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(trusted.serverContext("localhost", YEAR)));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).as(report.text()).isZero();
    assertThat(report.steps()).extracting(ProbeStep::name).containsExactly("DNS", "connect", "banner", "EHLO",
        "STARTTLS", "TLS", "certificate", "expiry", "EHLO (TLS)", "MAIL FROM", "RCPT TO", "RSET", "QUIT");
    assertThat(step(report, "certificate").detail()).contains("names localhost", "verified against localhost",
        "issuer CN=Relay Test CA");
    assertThat(step(report, "TLS").detail()).startsWith("TLSv1.3");
    assertThat(step(report, "RCPT TO").reply()).startsWith("250");
    assertThat(upstream.messages).isEmpty();
    assertThat(upstream.sessions.get()).isEqualTo(1);
  }

  @Test
  void sendDeliversExactlyOneTestMessage() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(trusted.serverContext("localhost", YEAR)));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, true);

    assertThat(report.exitStatus()).as(report.text()).isZero();
    assertThat(report.steps()).extracting(ProbeStep::name).contains("DATA", "message").doesNotContain("RSET");
    assertThat(upstream.messages).singleElement().satisfies(m -> {
      assertThat(m.from()).isEqualTo("printer@example.com");
      assertThat(m.recipients()).containsExactly("a@example.com");
      assertThat(m.tls()).isTrue();
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).contains("Subject: Relay connector test");
    });
  }

  @Test
  void wrongNameFailsTheCertificateStepWithAHint() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(trusted.serverContext("mail.evil.test", YEAR)));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).isEqualTo(2);
    ProbeStep certificate = step(report, "certificate");
    assertThat(certificate.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(certificate.detail()).isEqualTo("certificate name mail.evil.test does not match localhost");
    assertThat(certificate.hint()).contains("tls-names");
    assertThat(report.steps()).extracting(ProbeStep::name).doesNotContain("MAIL FROM");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void microsoftHostNameMismatchPointsAtTheProtectionCertificateName() {
    assertThat(ProbeHints.certificateName("contoso-com.mail.protection.outlook.com"))
        .contains("*.mail.protection.outlook.com", "tls-names");
  }

  @Test
  void expiredCertificateFails() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(
        trusted.expiredServerContext("localhost", Instant.parse("2025-01-01T12:00:00Z"))));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(step(report, "certificate").detail()).isEqualTo("certificate expired on 2025-01-01");
    assertThat(step(report, "certificate").hint()).contains("renew");
  }

  @Test
  void selfSignedCertificateFails() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(TestPki.selfSignedServerContext("localhost")));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(step(report, "certificate").detail())
        .isEqualTo("certificate not issued by a trusted CA (self-signed: CN=localhost)");
    assertThat(step(report, "certificate").hint()).contains("ca-file");
  }

  @Test
  void certificateExpiringWithinThirtyDaysWarns() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(
        trusted.expiredServerContext("localhost", Instant.now().plus(Duration.ofDays(10)))));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).as(report.text()).isEqualTo(1);
    assertThat(step(report, "expiry").verdict()).isEqualTo(Verdict.WARN);
    assertThat(step(report, "expiry").detail()).startsWith("certificate expires in 9 days");
  }

  @Test
  void missingStartTlsFailsWhenTlsIsRequired() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());

    ProbeReport report = probe(TlsPolicy.of(TlsMode.REQUIRED), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(step(report, "STARTTLS").verdict()).isEqualTo(Verdict.FAIL);
    assertThat(step(report, "STARTTLS").detail()).startsWith("not offered by localhost:" + upstream.port());
    assertThat(report.steps()).extracting(ProbeStep::name).doesNotContain("MAIL FROM");
  }

  @Test
  void missingStartTlsWarnsWhenTlsIsOpportunisticAndTheTestGoesOn() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());

    ProbeReport report = probe(TlsPolicy.of(TlsMode.OPPORTUNISTIC), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).as(report.text()).isEqualTo(1);
    assertThat(step(report, "STARTTLS").verdict()).isEqualTo(Verdict.WARN);
    assertThat(step(report, "RSET").verdict()).isEqualTo(Verdict.PASS);
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void clientCertificateIsPresentedWhenAskedAndTheSessionAccepted() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(trusted.serverContextTrustingClients("localhost"),
        ssl -> ssl.setNeedClientAuth(true)));
    TestPki.ClientFiles files = trusted.writeClientCertificate(dir, "relay-client.test", null);
    TlsPolicy policy = TlsPolicy.verify(List.of(), trusted.writeCaPem(dir))
        .withClientCertificate(new ClientCertificate(files.certificate(), files.key(), null));

    ProbeReport report = probe(policy, upstream.port()).run(FROM, TO, false);

    ProbeStep client = step(report, "client certificate");
    assertThat(client.verdict()).as(report.text()).isEqualTo(Verdict.PASS);
    assertThat(client.detail()).contains("presented CN=relay-client.test", "accepted the session");
    assertThat(step(report, "RCPT TO").verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void upstreamRequiringAClientCertificateFailsWithoutOne() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(trusted.serverContextTrustingClients("localhost"),
        ssl -> ssl.setNeedClientAuth(true)));

    ProbeReport report = probe(TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)), upstream.port()).run(FROM, TO, false);

    assertThat(report.exitStatus()).as(report.text()).isEqualTo(2);
    assertThat(report.steps().getLast().verdict()).isEqualTo(Verdict.FAIL);
    assertThat(report.steps().getLast().hint()).contains("client-certificate");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void aDeadFirstHostIsAWarningAndTheNextOneIsTested() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    OutboundConnector.SmartHost connector = SmtpTransportTest.connector(TlsPolicy.of(TlsMode.OPPORTUNISTIC),
        new UpstreamHost("localhost", closed), new UpstreamHost("localhost", upstream.port()));

    ProbeReport report = new ConnectorProbe(connector, InstantSource.system(), null, null).run(FROM, TO, false);

    assertThat(report.steps()).filteredOn(s -> s.name().equals("connect")).extracting(ProbeStep::verdict)
        .containsExactly(Verdict.WARN, Verdict.PASS);
    assertThat(report.steps().getFirst().detail()).contains("localhost -> ");
    assertThat(step(report, "RSET").verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void mxConnectorResolvesTheRecipientDomainThroughItsResolvers() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    TinyDns dns = track(new TinyDns());
    dns.mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.1");
    OutboundConnector.Mx connector = MxTransportTest.connector(TlsPolicy.of(TlsMode.OPPORTUNISTIC), upstream.port());
    MxResolver resolver = new DnsMxResolver(List.of(dns.address()), Duration.ofSeconds(2), upstream.port(), new SecureRandom());

    ProbeReport report = new ConnectorProbe(connector, InstantSource.system(), resolver, null)
        .run(FROM, MailPath.parse("b@example.test"), false);

    assertThat(step(report, "DNS").detail()).isEqualTo("MX of example.test: mx1.example.test[127.0.0.1:" + upstream.port() + "]");
    assertThat(step(report, "RCPT TO").verdict()).as(report.text()).isEqualTo(Verdict.PASS);
    ProbeReport unknown = new ConnectorProbe(connector, InstantSource.system(), resolver, null)
        .run(FROM, MailPath.parse("b@nowhere.test"), false);
    assertThat(unknown.exitStatus()).isEqualTo(2);
    assertThat(unknown.steps()).singleElement().extracting(ProbeStep::name).isEqualTo("DNS");
  }

  @Test
  void anUpstreamThatStopsAnsweringFailsTheStepItStoppedAt() throws Exception {
    ScriptedUpstream upstream = track(new ScriptedUpstream(ScriptedUpstream.Misbehaviour.SILENT_AT_MAIL));
    OutboundConnector.SmartHost connector = new OutboundConnector.SmartHost("smart",
        List.of(new UpstreamHost("localhost", upstream.port())), TlsPolicy.of(TlsMode.OPPORTUNISTIC), "relay.test",
        Duration.ofSeconds(5), Duration.ofMillis(500), 1);

    ProbeReport report = new ConnectorProbe(connector, InstantSource.system(), null, null).run(FROM, TO, false);

    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(report.steps().getLast().name()).isEqualTo("MAIL FROM");
    assertThat(report.steps().getLast().detail()).contains("no reply within the read timeout");
  }

  @Test
  void somethingThatIsNotAnSmtpServerFailsTheBanner() throws Exception {
    ServerSocket http = track(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    Thread.ofVirtual().start(() -> {
      try (java.net.Socket s = http.accept()) {
        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getInputStream().read();
      } catch (java.io.IOException e) {
        // the test is over
      }
    });

    ProbeReport report = probe(TlsPolicy.of(TlsMode.OPPORTUNISTIC), http.getLocalPort()).run(FROM, TO, false);

    assertThat(report.steps().getLast().name()).isEqualTo("banner");
    assertThat(report.steps().getLast().detail()).contains("not an SMTP reply: HTTP/1.1 400");
  }

  private ConnectorProbe probe(TlsPolicy policy, int port) {
    return new ConnectorProbe(SmtpTransportTest.connector(policy, new UpstreamHost("localhost", port)),
        InstantSource.system(), null, null);
  }

  private static ProbeStep step(ProbeReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + name + " in\n" + report.text()));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
