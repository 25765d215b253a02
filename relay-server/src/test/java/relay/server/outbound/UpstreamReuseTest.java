package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.ScriptedUpstream;

/**
 * A connection that was just used is reused without an RSET; when the upstream had closed it all
 * the same, the message goes out at once on a new connection instead of waiting for a retry.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamReuseTest {

  private ScriptedUpstream upstream;
  private SmtpTransport transport;

  @AfterEach
  void tearDown() throws IOException {
    if (transport != null) {
      transport.close();
    }
    upstream.close();
  }

  /** Dropped right after its message, or unanswered when the next MAIL arrives on it. */
  @ParameterizedTest
  @EnumSource(value = ScriptedUpstream.Misbehaviour.class, names = {"DROPS_AFTER_MESSAGE", "DROPS_AT_SECOND_MAIL"})
  void aSessionTheUpstreamDroppedIsReplacedWithoutADeferral(ScriptedUpstream.Misbehaviour drop) throws Exception {
    upstream = new ScriptedUpstream(drop);

    RecipientOutcome first = deliver("a@example.com");
    RecipientOutcome second = deliver("b@example.com");

    assertThat(first).isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(second).isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.sessions()).isEqualTo(2);
  }

  @Test
  void aConnectionUsedMomentsAgoIsReusedWithoutAnRset() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE);

    deliver("a@example.com");
    deliver("b@example.com");

    assertThat(upstream.sessions()).isEqualTo(1);
    assertThat(upstream.commands()).noneMatch(c -> c.startsWith("RSET"));
    assertThat(upstream.commands()).filteredOn(c -> c.startsWith("MAIL")).hasSize(2);
  }

  private RecipientOutcome deliver(String recipient) throws Exception {
    if (transport == null) {
      transport = new SmtpTransport(new OutboundConnector.SmartHost("reuse", List.of(new UpstreamHost("127.0.0.1", upstream.port())),
          TlsPolicy.of(TlsMode.NONE), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), 1),
          ReplyClassifier.standard(), new ProtocolLog());
    }
    return transport.deliver(SmtpTransportTest.request(MailPath.parse("p@example.com"), recipient)).getFirst();
  }
}
