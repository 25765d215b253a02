package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.server.outbound.SmtpTransportTest.CONTENT;
import static relay.server.outbound.SmtpTransportTest.connector;
import static relay.server.outbound.SmtpTransportTest.request;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.TlsMode;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

class SmtpTransportTlsTest {

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void requiredTlsTrustsACertificateFromTheConfiguredCaAndDeliversEncrypted() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("localhost")));

    List<RecipientOutcome> outcomes = transport(TlsMode.REQUIRED, pki.writeCaPem(dir), upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.messages).singleElement().satisfies(m -> {
      assertThat(m.tls()).isTrue();
      assertThat(m.content()).isEqualTo(CONTENT);
    });
  }

  @Test
  void requiredTlsRefusesACertificateForAnotherNameAndSendsNothing() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(pki.serverContext("other.example")));

    List<RecipientOutcome> outcomes = transport(TlsMode.REQUIRED, pki.writeCaPem(dir), upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcomes.getFirst().detail()).contains("No subject alternative DNS name matching localhost");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void requiredTlsRefusesACertificateFromAnUntrustedCaAndSendsNothing() throws Exception {
    TestPki trusted = new TestPki("Trusted CA");
    TestPki stranger = new TestPki("Stranger CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(stranger.serverContext("localhost")));

    List<RecipientOutcome> outcomes = transport(TlsMode.REQUIRED, trusted.writeCaPem(dir), upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcomes.getFirst().detail()).containsIgnoringCase("TLS");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void requiredTlsWithoutStartTlsOfferedSendsNothing() throws Exception {
    TestPki pki = new TestPki("Relay Test CA");
    TestUpstream upstream = track(TestUpstream.plain());

    List<RecipientOutcome> outcomes = transport(TlsMode.REQUIRED, pki.writeCaPem(dir), upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcomes.getFirst().detail()).contains("STARTTLS");
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void opportunisticTlsSendsInClearWhenStartTlsIsNotOffered() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());

    List<RecipientOutcome> outcomes = transport(TlsMode.OPPORTUNISTIC, null, upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.messages).singleElement().satisfies(m -> assertThat(m.tls()).isFalse());
  }

  @Test
  void opportunisticTlsEncryptsWithAnUnverifiableCertificateWhenOffered() throws Exception {
    TestPki stranger = new TestPki("Stranger CA");
    TestUpstream upstream = track(TestUpstream.withStartTls(stranger.serverContext("other.example")));

    List<RecipientOutcome> outcomes = transport(TlsMode.OPPORTUNISTIC, null, upstream).deliver(request());

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.messages).singleElement().satisfies(m -> assertThat(m.tls()).isTrue());
  }

  private SmtpTransport transport(TlsMode mode, Path ca, TestUpstream upstream) throws Exception {
    return track(new SmtpTransport(connector(mode, ca, new UpstreamHost("localhost", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog()));
  }

  private static relay.core.delivery.DeliveryRequest request() {
    return SmtpTransportTest.request(MailPath.parse("printer@example.com"), "a@example.com");
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
