package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.server.outbound.SmtpTransportTest.connector;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.Secret;
import relay.core.connector.ClientCertificate;
import relay.core.connector.ExpectedName;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.TlsVersion;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/** The TLS options beyond the mode: expected names, client certificate, minimum protocol version. */
class UpstreamTlsOptionsTest {

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void verifyAcceptsAnyHostUnderAConfiguredWildcardWhateverHostWasDialled() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("contoso-com.mail.protection.test")));
    TlsPolicy policy = TlsPolicy.verify(
        List.of(ExpectedName.of("mx.partner.test"), ExpectedName.of("*.mail.protection.test")), pki.writeCaPem(dir));

    // The outcome names the configured name the certificate was verified against.
    assertThat(deliver(policy, upstream)).singleElement().isInstanceOf(RecipientOutcome.Delivered.class)
        .satisfies(o -> assertThat(o.report().hop().tls().verifiedName()).isEqualTo("*.mail.protection.test"));
    assertThat(upstream.messages).singleElement().satisfies(m -> assertThat(m.tls()).isTrue());
  }

  @Test
  void verifyHoldsBackACertificateOutsideTheWildcardNamingBoth() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("mail.evil.test")));
    TlsPolicy policy = TlsPolicy.verify(List.of(ExpectedName.of("*.mail.protection.outlook.com")), pki.writeCaPem(dir));

    List<RecipientOutcome> outcomes = deliver(policy, upstream);

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class)
        .satisfies(o -> assertThat(o.report()).isInstanceOfSatisfying(AttemptReport.Local.class, local -> {
          assertThat(local.cause()).isEqualTo(LocalCause.TLS_FAILED);
          assertThat(local.hop()).as("nothing was sent: no hop to report").isNull();
        }));
    assertThat(outcomes.getFirst().detail()).contains("certificate name mail.evil.test does not match *.mail.protection.outlook.com");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void verifyDoesNotLetAWildcardSpanTwoLabels() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("a.b.mail.protection.test")));
    TlsPolicy policy = TlsPolicy.verify(List.of(ExpectedName.of("*.mail.protection.test")), pki.writeCaPem(dir));

    assertThat(deliver(policy, upstream)).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(upstream.messages).isEmpty();
  }

  // SubEthaSMTP records the client's certificate only when it needs one, so the upstream requires it.
  @Test
  void clientCertificateWithEncryptedKeyIsSeenByTheUpstream() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContextTrustingClients("localhost"), s -> s.setNeedClientAuth(true)));
    TestPki.ClientFiles client = pki.writeClientCertificate(dir, "relay.contoso.test", "correct horse battery");
    TlsPolicy policy = TlsPolicy.verify(List.of(), pki.writeCaPem(dir))
        .withClientCertificate(new ClientCertificate(client.certificate(), client.key(), Secret.of("correct horse battery")));

    assertThat(deliver(policy, upstream)).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.messages).singleElement()
        .satisfies(m -> assertThat(m.clientCertificateSubjects()).first().isEqualTo("CN=relay.contoso.test"));
  }

  @Test
  void upstreamThatNeedsAClientCertificateGetsNothingFromAConnectorWithoutOne() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContextTrustingClients("localhost"), s -> s.setNeedClientAuth(true)));

    List<RecipientOutcome> outcomes = deliver(TlsPolicy.of(TlsMode.REQUIRED), upstream);

    // Under TLS 1.3 the upstream refuses after the client's side of the handshake is done, so the
    // client only sees the connection drop (no alert text to quote).
    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void wrongKeyPasswordFailsAtStartNamingTheFileButNotThePassword() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestPki.ClientFiles client = pki.writeClientCertificate(dir, "relay.contoso.test", "correct horse battery");
    TlsPolicy policy = TlsPolicy.of(TlsMode.REQUIRED)
        .withClientCertificate(new ClientCertificate(client.certificate(), client.key(), Secret.of("wrong-password-xyz")));

    assertThatThrownBy(() -> new SmtpTransport(connector(policy, new UpstreamHost("localhost", 25)),
            ReplyClassifier.standard(), new ProtocolLog()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(client.key().toString())
        .hasMessageContaining("cannot decrypt the private key")
        .hasMessageNotContaining("wrong-password-xyz")
        .hasMessageNotContaining("correct horse");
  }

  @Test
  void encryptedKeyWithoutPasswordSaysAPasswordIsNeeded() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestPki.ClientFiles client = pki.writeClientCertificate(dir, "relay.contoso.test", "correct horse battery");
    TlsPolicy policy = TlsPolicy.of(TlsMode.REQUIRED).withClientCertificate(new ClientCertificate(client.certificate(), client.key(), null));

    assertThatThrownBy(() -> new SmtpTransport(connector(policy, new UpstreamHost("localhost", 25)),
            ReplyClassifier.standard(), new ProtocolLog()))
        .isInstanceOf(IOException.class).hasMessageContaining("encrypted, but no key-password is configured");
  }

  /**
   * JDK 25 disables TLS 1.0 and 1.1 for both ends in {@code jdk.tls.disabledAlgorithms}, so a TLS
   * 1.1-only test upstream cannot be built in this JVM; the same refusal is shown one version up: an
   * upstream that speaks only TLS 1.2 against a connector whose minimum is TLS 1.3.
   */
  @Test
  void upstreamBelowTheMinimumVersionIsHeldBackEvenWhenOpportunistic() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("localhost"),
        s -> s.setEnabledProtocols(new String[] {"TLSv1.2"})));

    List<RecipientOutcome> outcomes = deliver(TlsPolicy.of(TlsMode.OPPORTUNISTIC).withMinimumVersion(TlsVersion.TLS_1_3), upstream);

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcomes.getFirst().detail()).contains("localhost:" + upstream.port() + ": TLS handshake failed");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void tls12OnlyUpstreamIsAcceptedAtTheDefaultMinimum() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("localhost"),
        s -> s.setEnabledProtocols(new String[] {"TLSv1.2"})));

    assertThat(deliver(TlsPolicy.of(TlsMode.REQUIRED), upstream)).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
  }

  private List<RecipientOutcome> deliver(TlsPolicy policy, TestUpstream upstream) throws Exception {
    SmtpTransport transport = track(new SmtpTransport(connector(policy, new UpstreamHost("localhost", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog()));
    return transport.deliver(TlsMatrixTest.request());
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
