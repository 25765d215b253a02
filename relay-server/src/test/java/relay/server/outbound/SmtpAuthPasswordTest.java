package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.outbound.oauth.RefreshPolicy;
import relay.server.outbound.oauth.TokenClient;
import relay.server.outbound.oauth.TokenListener;
import relay.server.outbound.oauth.TokenSources;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/** The smtp-auth transport signing in with a mailbox password (LOGIN or PLAIN) after STARTTLS. */
class SmtpAuthPasswordTest {

  private static final String MAILBOX = "copier@contoso.com";
  private static final String PASSWORD = "p4ss-w0rd!that-stays-secret";

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(SubmissionCredential.Mechanism.class)
  void passwordIsSentWithTheChosenMechanismAfterStartTlsAndTheMailDelivered(SubmissionCredential.Mechanism mechanism)
      throws Exception {
    TestPki pki = new TestPki("Submission CA");
    // The server offers only the chosen mechanism, so a client using another one cannot sign in.
    try (TestUpstream upstream = TestUpstream.withStartTlsAndAuth(pki.serverContext("localhost"), mechanism.name(), MAILBOX, PASSWORD);
        SmtpAuthTransport transport = transport(pki, upstream.port(), mechanism)) {
      List<RecipientOutcome> outcomes = transport.deliver(request());

      assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
      assertThat(upstream.signIns).containsExactly(MAILBOX);
      assertThat(upstream.messages).singleElement().satisfies(m -> {
        assertThat(m.tls()).isTrue();
        assertThat(m.from()).isEqualTo(MAILBOX);
        assertThat(m.recipients()).containsExactly("someone@fabrikam.com");
      });
    }
  }

  private SmtpAuthTransport transport(TestPki pki, int port, SubmissionCredential.Mechanism mechanism) throws Exception {
    SubmissionCredential credential = new SubmissionCredential.Password(mechanism, new Secret("env:COPIER_PASSWORD", PASSWORD));
    SenderIdentities identities = new SenderIdentities(List.of(new SenderIdentity("*", MAILBOX, null, null)));
    Pacing pacing = new Pacing(1, 10, Duration.ofSeconds(1), 100, Duration.ofHours(24), 10,
        Duration.ofSeconds(1), Duration.ofSeconds(10));
    OutboundConnector.SmtpAuth connector = new OutboundConnector.SmtpAuth("copier", new UpstreamHost("localhost", port),
        pki.writeCaPem(dir), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), credential, identities, pacing);
    // No OAuth credential here: the token sources are never asked.
    InstantSource clock = InstantSource.system();
    TokenClient unused = new TokenClient(TokenClient.httpClient(SSLContext.getDefault(), Duration.ofSeconds(1)), clock, Duration.ofSeconds(1));
    return new SmtpAuthTransport(connector, ReplyClassifier.standard(), new ProtocolLog(), clock,
        new TokenSources(unused, clock, RefreshPolicy.DEFAULT, TokenListener.NONE));
  }

  private static DeliveryRequest request() {
    byte[] content = ("From: " + MAILBOX + "\r\nSubject: copy\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
    return new DeliveryRequest(new MessageId("m" + System.nanoTime()), MailPath.parse(MAILBOX), MailParameters.NONE,
        List.of(Recipient.of(MailPath.parse("someone@fabrikam.com"))), new MessageBody() {
          @Override
          public long size() {
            return content.length;
          }

          @Override
          public InputStream open() {
            return new ByteArrayInputStream(content);
          }
        }, new ClientInfo("192.0.2.8", 40000, "copier", false, "lan"), Instant.parse("2026-03-01T08:00:00Z"));
  }
}
