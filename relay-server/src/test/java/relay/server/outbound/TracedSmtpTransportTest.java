package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.server.outbound.SmtpTransportTest.connector;
import static relay.server.outbound.SmtpTransportTest.request;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import relay.core.connector.TlsMode;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestUpstream;

class TracedSmtpTransportTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("relay.protocol");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private TestUpstream upstream;
  private SmtpTransport transport;

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
    if (transport != null) {
      transport.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void commandsAreOutRepliesAreInEachMessageNamesItsQueueIdAndContentIsNeverLogged() throws Exception {
    upstream = TestUpstream.plain();
    transport = new SmtpTransport(connector(TlsMode.NONE, null, new UpstreamHost("127.0.0.1", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog());

    DeliveryRequest request = request(MailPath.parse("p@example.com"), "a@example.com");
    assertThat(transport.deliver(request)).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);

    List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    String prefix = "smart-1 smart - 127.0.0.1:" + upstream.port() + " ";
    assertThat(lines).allSatisfy(line -> assertThat(line).startsWith(prefix));
    List<String> records = lines.stream().map(line -> line.substring(prefix.length())).toList();
    assertThat(records.getFirst()).startsWith("IN 220 ");
    assertThat(records).containsSubsequence("OUT EHLO relay.test", "EVENT message " + request.id() + ": 1 recipient",
        "OUT MAIL FROM:<p@example.com>", "OUT RCPT TO:<a@example.com>", "OUT DATA",
        "EVENT message content sent, not logged", "OUT .");
    // Every line of the multi-line EHLO reply is its own record.
    assertThat(records.stream().filter(r -> r.startsWith("IN 250-"))).isNotEmpty();
    assertThat(records.subList(records.indexOf("OUT DATA") + 1, records.size()))
        .first().asString().startsWith("IN 354");
    assertThat(records.getLast()).startsWith("IN 250");
    assertThat(String.join("\n", records)).doesNotContain("Subject", "scan", "leading dot", "last line");
  }

  @Test
  void authCommandKeepsOnlyItsMechanism() {
    assertThat(TracedSmtpTransport.redact("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).isEqualTo("AUTH PLAIN ***");
    assertThat(TracedSmtpTransport.redact("auth xoauth2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB")).isEqualTo("AUTH XOAUTH2 ***");
    assertThat(TracedSmtpTransport.redact("AUTH LOGIN")).isEqualTo("AUTH LOGIN");
    assertThat(TracedSmtpTransport.redact("MAIL FROM:<authority@example.com>")).isEqualTo("MAIL FROM:<authority@example.com>");
  }
}
