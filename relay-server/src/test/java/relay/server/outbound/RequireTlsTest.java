package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import relay.core.connector.TlsMode;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * The mail-flow rule action {@code require-tls} at the smart-host transport: a message that
 * requires TLS only leaves over an encrypted session, whatever the connector's own policy.
 */
class RequireTlsTest {

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private SmtpTransport transport(TlsMode mode, int port) throws Exception {
    return track(new SmtpTransport(SmtpTransportTest.connector(mode, null, new UpstreamHost("127.0.0.1", port)),
        ReplyClassifier.standard(), new ProtocolLog()));
  }

  private static DeliveryRequest requiringTls(String... recipients) {
    DeliveryRequest plain = SmtpTransportTest.request(MailPath.parse("printer@example.com"), recipients);
    return new DeliveryRequest(plain.id(), plain.sender(), plain.parameters(), plain.recipients(), plain.body(),
        plain.client(), Instant.parse("2026-03-01T08:00:00Z"), true);
  }

  @ParameterizedTest
  @EnumSource(value = TlsMode.class, names = {"NONE", "OPPORTUNISTIC"})
  void messageRequiringTlsIsHeldBackWhenTheUpstreamOffersNoStartTls(TlsMode mode) throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    SmtpTransport transport = transport(mode, upstream.port());

    List<RecipientOutcome> outcomes = transport.deliver(requiringTls("a@example.com", "b@example.com"));

    assertThat(outcomes).hasSize(2).allSatisfy(o -> {
      assertThat(o).isInstanceOf(RecipientOutcome.TransientFailure.class);
      assertThat(o.detail()).contains("requires TLS").contains("STARTTLS not offered by 127.0.0.1:" + upstream.port());
      assertThat(o.report()).isInstanceOfSatisfying(AttemptReport.Local.class,
          local -> assertThat(local.cause()).isEqualTo(LocalCause.TLS_UNAVAILABLE));
    });
    assertThat(upstream.messages).isEmpty();
  }

  @Test
  void messageWithoutTheRequirementStillGoesInClearTextThroughTheSameConnector() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    SmtpTransport transport = transport(TlsMode.OPPORTUNISTIC, upstream.port());

    assertThat(transport.deliver(requiringTls("a@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(transport.deliver(SmtpTransportTest.request(MailPath.parse("printer@example.com"), "b@example.com")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);

    assertThat(upstream.messages).singleElement().satisfies(m -> {
      assertThat(m.recipients()).containsExactly("b@example.com");
      assertThat(m.tls()).isFalse();
    });
  }

  @ParameterizedTest
  @EnumSource(value = TlsMode.class, names = {"NONE", "OPPORTUNISTIC", "REQUIRED"})
  void messageRequiringTlsIsDeliveredEncryptedWhenTheUpstreamOffersStartTls(TlsMode mode) throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(TestPki.selfSignedServerContext("localhost")));
    SmtpTransport transport = transport(mode, upstream.port());

    assertThat(transport.deliver(requiringTls("a@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.Delivered.class);

    assertThat(upstream.messages).singleElement().satisfies(m -> {
      assertThat(m.recipients()).containsExactly("a@example.com");
      assertThat(m.tls()).isTrue();
      assertThat(m.content()).isEqualTo(SmtpTransportTest.CONTENT);
    });
  }

  @Test
  void connectorWithoutTlsKeepsSendingOtherMailInClearTextAfterAnEncryptedMessage() throws Exception {
    TestUpstream upstream = track(TestUpstream.withStartTls(TestPki.selfSignedServerContext("localhost")));
    SmtpTransport transport = transport(TlsMode.NONE, upstream.port());

    transport.deliver(requiringTls("secret@example.com"));
    transport.deliver(SmtpTransportTest.request(MailPath.parse("printer@example.com"), "plain@example.com"));

    assertThat(upstream.messages).hasSize(2);
    assertThat(upstream.messages.get(0).tls()).isTrue();
    assertThat(upstream.messages.get(1).tls()).isFalse();
  }
}
